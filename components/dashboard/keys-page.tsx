'use client';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { Alert, Button, Card, EmptyState, Input, Label, Spinner } from '@/components/ui/primitives';
import { useApi } from './use-api';
import type { ApiKeyViewT } from '@/lib/schemas/keys';

type ApiKey = ApiKeyViewT;

const formatDate = (value: string | null) => (value ? new Date(value).toLocaleString() : 'Never');

/** A key's scopes as stored: [] = full access, "read", "write", "agent:<id>". */
function describeScopes(scopes: string[]) {
  const levels = scopes.filter((scope) => scope === 'read' || scope === 'write');
  const agent = scopes.find((scope) => scope.startsWith('agent:'))?.slice('agent:'.length) ?? null;
  return { levels: levels.length ? levels : ['full access'], agent };
}

export function KeysPage() {
  const api = useApi();
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ name: string; api_key: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setKeys((await api<{ keys: ApiKey[] }>('/api/v1/keys')).keys);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [api]);

  useEffect(() => {
    api<{ keys: ApiKey[] }>('/api/v1/keys').then(
      (result) => setKeys(result.keys),
      (e: Error) => setError(e.message),
    );
  }, [api]);

  async function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const name = String(data.get('name') ?? '');
    const scopes = data.getAll('scopes').map(String);
    const agentId = String(data.get('agent_id') ?? '').trim();
    if (scopes.length === 0) return setError('Choose at least one scope: read, write or both.');
    setBusy(true);
    setError(null);
    try {
      // Both levels is what a key without scopes can do; sent explicitly so the list says what the key may do.
      const body = { name, scopes, ...(agentId ? { agent_id: agentId } : {}) };
      const key = await api<{ name: string; api_key: string }>('/api/v1/keys', { method: 'POST', body });
      setCreated(key);
      setCopied(false);
      form.reset();
      await load();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  async function revoke(id: string) {
    setError(null);
    try {
      await api(`/api/v1/keys/${encodeURIComponent(id)}/revoke`, { method: 'POST' });
      setConfirming(null);
      await load();
    } catch (e) {
      setError((e as Error).message);
    }
  }

  async function copy() {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.api_key);
      setCopied(true);
    } catch {
      setError('Copy failed: select the key and copy it by hand.');
    }
  }

  return (
    <div className="max-w-4xl space-y-6">
      <header>
        <h1 className="text-2xl font-semibold">API Keys</h1>
        <p className="mt-1 text-sm text-slate-600">Keys authenticate your backend. Keep them secret: never ship one to a browser.</p>
      </header>

      {error && <Alert testId="keys-error">{error}</Alert>}

      <Card title="Create a key">
        <form onSubmit={onCreate} className="space-y-3">
          <div className="flex flex-col gap-3 sm:flex-row sm:items-end">
            <div className="flex-1">
              <Label htmlFor="key-name">Name</Label>
              <Input id="key-name" name="name" placeholder="Production" maxLength={100} required data-testid="key-name" />
            </div>
            <div className="flex-1">
              <Label htmlFor="key-agent">Agent (optional)</Label>
              <Input id="key-agent" name="agent_id" placeholder="support-bot" maxLength={255} data-testid="key-agent" />
            </div>
            <Button type="submit" disabled={busy} data-testid="create-key">
              {busy ? 'Creating…' : 'Create key'}
            </Button>
          </div>
          <fieldset className="flex flex-wrap items-center gap-4 text-sm">
            <legend className="sr-only">Scopes</legend>
            <span className="font-medium text-slate-700">Scopes</span>
            <label className="inline-flex items-center gap-1.5">
              <input type="checkbox" name="scopes" value="read" defaultChecked data-testid="key-scope-read" /> read
            </label>
            <label className="inline-flex items-center gap-1.5">
              <input type="checkbox" name="scopes" value="write" defaultChecked data-testid="key-scope-write" /> write
            </label>
            <span className="text-xs text-slate-500">Read only cannot store or delete. An agent limits the key to that agent’s memories.</span>
          </fieldset>
        </form>
        {created && (
          <div className="mt-4 space-y-2" data-testid="new-key-panel">
            <Alert tone="warning">Copy “{created.name}” now. It is shown only once; if you lose it, revoke it and create another.</Alert>
            <div className="flex gap-2">
              <code className="flex-1 overflow-x-auto rounded-md bg-slate-900 px-3 py-2 text-sm text-emerald-300" data-testid="new-key-value">
                {created.api_key}
              </code>
              <Button variant="secondary" onClick={copy} data-testid="copy-key">
                {copied ? 'Copied' : 'Copy'}
              </Button>
              <Button variant="ghost" onClick={() => setCreated(null)}>
                Done
              </Button>
            </div>
          </div>
        )}
      </Card>

      <Card title="Your keys">
        {keys === null ? (
          <Spinner />
        ) : keys.length === 0 ? (
          <EmptyState title="No keys yet">Create one above to start calling the API.</EmptyState>
        ) : (
          <div className="overflow-x-auto">
            <table className="min-w-full text-left text-sm" data-testid="keys-table">
              <thead className="text-xs uppercase text-slate-500">
                <tr>
                  <th className="py-2 pr-4">Name</th>
                  <th className="py-2 pr-4">Key</th>
                  <th className="py-2 pr-4">Scopes</th>
                  <th className="py-2 pr-4">Agent</th>
                  <th className="py-2 pr-4">Created</th>
                  <th className="py-2 pr-4">Last used</th>
                  <th className="py-2 pr-4">Status</th>
                  <th className="py-2" />
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {keys.map((key) => {
                  const { levels, agent } = describeScopes(key.scopes);
                  return (
                  <tr key={key.id} data-testid={`key-row-${key.id}`}>
                    <td className="py-2 pr-4 font-medium" data-testid="key-row-name">{key.name}</td>
                    <td className="py-2 pr-4 font-mono text-xs">{key.masked_key}</td>
                    <td className="py-2 pr-4" data-testid="key-row-scopes">
                      {levels.map((level) => (
                        <span key={level} className="mr-1 rounded bg-slate-100 px-2 py-0.5 text-xs text-slate-700">{level}</span>
                      ))}
                    </td>
                    <td className="py-2 pr-4 text-xs" data-testid="key-row-agent">{agent ?? <span className="text-slate-500">all agents</span>}</td>
                    <td className="py-2 pr-4 text-slate-600">{formatDate(key.created_at)}</td>
                    <td className="py-2 pr-4 text-slate-600">{formatDate(key.last_used_at)}</td>
                    <td className="py-2 pr-4">
                      {key.is_active ? (
                        <span className="rounded bg-emerald-50 px-2 py-0.5 text-xs text-emerald-700">Active</span>
                      ) : (
                        <span className="rounded bg-slate-100 px-2 py-0.5 text-xs text-slate-600">Revoked</span>
                      )}
                    </td>
                    <td className="py-2 text-right">
                      {key.is_active &&
                        (confirming === key.id ? (
                          <span className="inline-flex gap-2">
                            <Button variant="danger" onClick={() => revoke(key.id)} data-testid="confirm-revoke">
                              Revoke now
                            </Button>
                            <Button variant="ghost" onClick={() => setConfirming(null)}>
                              Cancel
                            </Button>
                          </span>
                        ) : (
                          <Button variant="secondary" onClick={() => setConfirming(key.id)} data-testid="revoke-key">
                            Revoke
                          </Button>
                        ))}
                    </td>
                  </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </div>
  );
}

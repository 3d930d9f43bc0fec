'use client';
import { useEffect, useState, type ReactNode } from 'react';
import { Alert, Card } from '@/components/ui/primitives';
import type { z } from 'zod';
import type { AccountSettingsResponse } from '@/lib/schemas/dashboard';
import { useApi } from './use-api';

type Settings = z.infer<typeof AccountSettingsResponse>;

/**
 * What scheduled (operator-run) maintenance may do to this account, each opt-in and off by default: archive stale
 * memories, and write summaries with the configured LLM (the account's tokens) instead of extractive ones.
 */
export function ScheduledPruningSetting() {
  const api = useApi();
  const [settings, setSettings] = useState<Settings | null>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api<Settings>('/api/dashboard/settings').then(setSettings, (e: Error) => setError(e.message));
  }, [api]);

  const toggle = async (change: Partial<Settings>) => {
    setSaving(true);
    setError(null);
    try {
      setSettings(await api<Settings>('/api/dashboard/settings', { method: 'POST', body: change }));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setSaving(false);
    }
  };

  const choice = (name: keyof Settings, testId: string, title: string, description: ReactNode) => (
    <label className="flex items-start gap-3 text-sm">
      <input
        type="checkbox"
        data-testid={testId}
        className="mt-1"
        checked={settings?.[name] ?? false}
        disabled={settings === null || saving}
        onChange={(event) => void toggle({ [name]: event.target.checked })}
      />
      <span>
        <span className="font-medium text-slate-800">{title}</span>
        <span className="block text-slate-600">{description}</span>
      </span>
    </label>
  );

  return (
    <Card title="Scheduled maintenance">
      {error && <Alert testId="settings-error">{error}</Alert>}
      <div className="space-y-4">
        {choice(
          'scheduled_pruning',
          'scheduled-pruning',
          'Let scheduled maintenance archive stale memories',
          <>
            Off by default. When on, memories stored here more than 90 days ago and unused since, or with importance below 0.1, are archived on the
            schedule (restorable under Memories › Archived). A backdated import or ingest timestamp does not make a memory stale.
          </>,
        )}
        {choice(
          'scheduled_llm_summaries',
          'scheduled-llm-summaries',
          'Let scheduled maintenance write summaries with the LLM',
          <>
            Off by default: scheduled summaries then quote the most central memories of each cluster and use no LLM tokens. When on, they are
            written by the configured model and count against your monthly LLM tokens. Summaries you run yourself always use the model.
          </>,
        )}
      </div>
    </Card>
  );
}

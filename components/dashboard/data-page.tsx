'use client';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { Alert, Button, Card, Input, Label } from '@/components/ui/primitives';
import { getAccessToken } from '@/lib/auth/browser-client';
import type { z } from 'zod';
import type { ImportResponse } from '@/lib/schemas/portability';
import { ProgressBar } from './widgets';

type ImportResult = z.infer<typeof ImportResponse>;
type Issue = { loc: (string | number)[]; msg: string };
type Upload =
  | { phase: 'uploading'; loaded: number; total: number }
  | { phase: 'processing'; total: number }
  | { phase: 'done'; total: number; result: ImportResult }
  | { phase: 'failed'; total: number; message: string; issues: Issue[] };

const formatBytes = (bytes: number) => (bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);
const MAX_ISSUES_SHOWN = 20;

/** "line 3 › content: Too small" from a 422 detail whose loc is ['body', line, ...field]. */
function describeIssue(issue: Issue): string {
  const [, line, ...field] = issue.loc;
  return `${typeof line === 'number' ? `Line ${line}` : 'Body'}${field.length ? ` › ${field.join('.')}` : ''}: ${issue.msg}`;
}

export function DataPage() {
  const router = useRouter();
  const [exportUser, setExportUser] = useState('');
  const [exporting, setExporting] = useState<{ bytes: number; lines: number } | null>(null);
  const [exported, setExported] = useState<{ file: string; bytes: number; lines: number } | null>(null);
  const [exportError, setExportError] = useState<string | null>(null);
  const [upload, setUpload] = useState<Upload | null>(null);

  async function token(): Promise<string | null> {
    const value = await getAccessToken();
    if (!value) router.replace('/login');
    return value ?? null;
  }

  /** Streams GET /api/dashboard/export (counting lines as they arrive), then saves it as a file. */
  async function onExport(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setExportError(null);
    setExported(null);
    const bearer = await token();
    if (!bearer) return;
    const user = exportUser.trim();
    setExporting({ bytes: 0, lines: 0 });
    try {
      const response = await fetch(`/api/dashboard/export${user ? `?${new URLSearchParams({ external_user_id: user })}` : ''}`, { headers: { Authorization: `Bearer ${bearer}` } });
      if (!response.ok || !response.body) {
        const body = (await response.json().catch(() => undefined)) as { detail?: string; details?: Issue[] } | undefined;
        throw new Error(body?.details?.map((issue) => issue.msg).join('; ') ?? body?.detail ?? `Export failed (${response.status})`);
      }
      const chunks: Uint8Array<ArrayBuffer>[] = [];
      let bytes = 0;
      let lines = 0;
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        bytes += value.byteLength;
        for (const byte of value) if (byte === 10) lines += 1;
        setExporting({ bytes, lines });
      }
      const file = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'memories.jsonl';
      const url = URL.createObjectURL(new Blob(chunks, { type: 'application/x-ndjson' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = decodeURIComponent(file);
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setExported({ file: link.download, bytes, lines });
    } catch (e) {
      setExportError((e as Error).message);
    } finally {
      setExporting(null);
    }
  }

  /** POST /api/dashboard/import with XMLHttpRequest, whose upload events report the bytes sent. */
  async function onImport(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const file = (new FormData(event.currentTarget).get('file') as File | null) ?? null;
    if (!file || file.size === 0) return setUpload({ phase: 'failed', total: 0, message: 'Choose a .jsonl file exported from Memory Layer first.', issues: [] });
    const bearer = await token();
    if (!bearer) return;
    setUpload({ phase: 'uploading', loaded: 0, total: file.size });
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/dashboard/import');
    xhr.setRequestHeader('Authorization', `Bearer ${bearer}`);
    xhr.setRequestHeader('Content-Type', 'application/x-ndjson');
    xhr.upload.onprogress = (progress) => setUpload({ phase: 'uploading', loaded: progress.loaded, total: progress.lengthComputable ? progress.total : file.size });
    xhr.upload.onload = () => setUpload({ phase: 'processing', total: file.size });
    xhr.onload = () => {
      const body = (() => {
        try {
          return JSON.parse(xhr.responseText) as unknown;
        } catch {
          return undefined;
        }
      })();
      if (xhr.status === 200) return setUpload({ phase: 'done', total: file.size, result: body as ImportResult });
      const failure = body as { detail?: string; details?: Issue[] } | undefined;
      setUpload({
        phase: 'failed',
        total: file.size,
        message: failure?.details?.length ? 'Nothing was imported: fix these lines and upload again.' : (failure?.detail ?? `Import failed (${xhr.status})`),
        issues: failure?.details ?? [],
      });
    };
    xhr.onerror = () => setUpload({ phase: 'failed', total: file.size, message: 'The upload did not reach the server (network error).', issues: [] });
    xhr.send(file);
  }

  const busy = upload?.phase === 'uploading' || upload?.phase === 'processing';

  return (
    <div className="max-w-3xl space-y-6">
      <header>
        <h1 className="text-2xl font-semibold">Import &amp; export</h1>
        <p className="mt-1 text-sm text-slate-600">Your memories are yours: download them as JSON Lines (ids, metadata, timestamps and vectors), and bring such a file back.</p>
      </header>

      <Card title="Export">
        <form onSubmit={onExport} className="flex flex-col gap-3 sm:flex-row sm:items-end">
          <div className="flex-1">
            <Label htmlFor="export-user">End user (leave empty for the whole account)</Label>
            <Input id="export-user" value={exportUser} onChange={(e) => setExportUser(e.target.value)} placeholder="every end user" maxLength={255} data-testid="export-user" />
          </div>
          <Button type="submit" disabled={exporting !== null} data-testid="export-download">{exporting ? 'Exporting…' : 'Download .jsonl'}</Button>
        </form>
        <div className="mt-3 space-y-2">
          {exporting && <p className="text-sm text-slate-600" data-testid="export-progress">Received {exporting.lines} memories ({formatBytes(exporting.bytes)})…</p>}
          {exported && (
            <Alert tone="success" testId="export-done">
              Saved {exported.file}: {exported.lines} {exported.lines === 1 ? 'memory' : 'memories'} ({formatBytes(exported.bytes)}).
            </Alert>
          )}
          {exportError && <Alert testId="export-error">{exportError}</Alert>}
        </div>
      </Card>

      <Card title="Import">
        <form onSubmit={onImport} className="flex flex-col gap-3 sm:flex-row sm:items-end">
          <div className="flex-1">
            <Label htmlFor="import-file">A .jsonl file from an export (up to 50 MB)</Label>
            <input id="import-file" name="file" type="file" accept=".jsonl,.ndjson,application/x-ndjson,text/plain" className="block w-full text-sm" data-testid="import-file" />
          </div>
          <Button type="submit" disabled={busy} data-testid="import-upload">{busy ? 'Importing…' : 'Upload'}</Button>
        </form>
        <p className="mt-2 text-xs text-slate-500">Ids that already exist are skipped, never overwritten; every line is checked before anything is written.</p>
        {upload && (
          <div className="mt-4 space-y-3">
            <ProgressBar
              testId="import-progress"
              status={upload.phase}
              value={upload.phase === 'uploading' ? (upload.total ? (upload.loaded / upload.total) * 100 : 0) : upload.phase === 'failed' ? 0 : 100}
              label={
                upload.phase === 'uploading'
                  ? `Uploading ${formatBytes(upload.loaded)} of ${formatBytes(upload.total)}`
                  : upload.phase === 'processing'
                    ? `Uploaded ${formatBytes(upload.total)}; checking and embedding…`
                    : upload.phase === 'done'
                      ? `Uploaded ${formatBytes(upload.total)}`
                      : 'Not imported'
              }
            />
            {upload.phase === 'done' && (
              <Alert tone="success" testId="import-result">
                {upload.result.lines} lines: {upload.result.imported} imported, {upload.result.skipped} skipped (already there), {upload.result.reembedded} re-embedded.
              </Alert>
            )}
            {upload.phase === 'failed' && (
              <Alert testId="import-error">
                {upload.message}
                {upload.issues.length > 0 && (
                  <ul className="mt-1 list-disc pl-5" data-testid="import-issues">
                    {upload.issues.slice(0, MAX_ISSUES_SHOWN).map((issue, index) => <li key={index}>{describeIssue(issue)}</li>)}
                    {upload.issues.length > MAX_ISSUES_SHOWN && <li>…and {upload.issues.length - MAX_ISSUES_SHOWN} more</li>}
                  </ul>
                )}
              </Alert>
            )}
          </div>
        )}
      </Card>
    </div>
  );
}

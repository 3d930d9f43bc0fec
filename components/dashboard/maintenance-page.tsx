'use client';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { Alert, Button, Card, EmptyState, Input, Label, Spinner } from '@/components/ui/primitives';
import { useApi } from './use-api';
import { ScheduledPruningSetting } from './scheduled-pruning';
import { ProgressBar } from './widgets';
import type { RunViewT } from '@/lib/schemas/maintenance';

type JobType = 'all' | 'pruning' | 'summarization' | 'link-optimization' | 'importance-recalculation';
const JOBS: { id: JobType; label: string; help: string }[] = [
  { id: 'all', label: 'All', help: 'Importance, pruning, summarization and links, in that order.' },
  { id: 'pruning', label: 'Pruning', help: 'Archives memories unused for 90 days or with importance below 0.1 (restorable under Memories › Archived).' },
  { id: 'summarization', label: 'Summarization', help: 'Clusters related memories of each end user and keeps one summary per cluster.' },
  { id: 'link-optimization', label: 'Link optimization', help: 'Rebuilds the links between similar memories.' },
  { id: 'importance-recalculation', label: 'Importance recalculation', help: 'Recomputes importance from use and age.' },
];
// The order a run of "all" takes its steps (lib/memory/maintenance/jobs.ts).
const ALL_ORDER = ['importance-recalculation', 'pruning', 'summarization', 'link-optimization'];
const PAGE_SIZE = 10;
const POLL_MS = 500;

type Progress = { step?: string; end_users_done?: number; end_users_total?: number };

/** How far a run is, 0..1: end users done of total, and for "all" the steps before the current one. */
function fractionOf(run: RunViewT): number {
  if (run.status !== 'running') return 1;
  const progress = run.progress as Progress;
  const within = progress.end_users_total ? (progress.end_users_done ?? 0) / progress.end_users_total : 0;
  if (run.job_type !== 'all') return within;
  return (Math.max(0, ALL_ORDER.indexOf(progress.step ?? ALL_ORDER[0]!)) + within) / ALL_ORDER.length;
}

/** A run resumed after its process stopped says so (resume.ts gives up after the third start). */
function attemptOf(run: RunViewT): string | null {
  return run.attempts > 1 ? `attempt ${run.attempts}, resumed after its process stopped` : null;
}

function labelOf(run: RunViewT): string {
  const progress = run.progress as Progress;
  if (run.status === 'running') {
    const attempt = attemptOf(run);
    const suffix = attempt ? ` (${attempt})` : '';
    if (!progress.step) return `${run.job_type}: starting…${suffix}`;
    return `${progress.step}: ${progress.end_users_done ?? 0} of ${progress.end_users_total ?? '?'} end users${suffix}`;
  }
  if (run.status === 'succeeded') return `Succeeded${run.duration_ms !== null ? ` in ${(run.duration_ms / 1000).toFixed(1)} s` : ''}`;
  return `${run.status === 'failed' ? 'Failed' : 'Interrupted'}${run.error ? `: ${run.error}` : ''}`;
}

/** counts as "key: value" pairs; a run of "all" nests them per step. */
function flatten(counts: Record<string, unknown>, prefix = ''): [string, string][] {
  return Object.entries(counts).flatMap(([key, value]) =>
    value !== null && typeof value === 'object' && !Array.isArray(value) ? flatten(value as Record<string, unknown>, `${prefix}${key} › `) : [[`${prefix}${key}`, String(value)] as [string, string]],
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function MaintenancePage() {
  const api = useApi();
  const [jobType, setJobType] = useState<JobType>('all');
  const [endUser, setEndUser] = useState('');
  const [runs, setRuns] = useState<{ items: RunViewT[]; total: number; offset: number } | null>(null);
  const [active, setActive] = useState<RunViewT | null>(null);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const running = useRef(false);

  const loadRuns = useCallback(
    async (offset: number) => {
      const page = await api<{ runs: RunViewT[]; total_count: number }>(`/api/dashboard/maintenance-runs?limit=${PAGE_SIZE}&offset=${offset}`);
      setRuns({ items: page.runs, total: page.total_count, offset });
      return page.runs;
    },
    [api],
  );

  /** Polls the runs list until the run is no longer running, showing its progress as it goes. */
  const follow = useCallback(
    async (find: (runs: RunViewT[]) => RunViewT | undefined, until: () => boolean) => {
      while (!until()) {
        try {
          const found = find(await api<{ runs: RunViewT[] }>(`/api/dashboard/maintenance-runs?limit=${PAGE_SIZE}&offset=0`).then((page) => page.runs));
          if (found && !until()) setActive(found);
          if (found && found.status !== 'running') return;
        } catch {
          // A failed poll is retried; the run's own answer reports errors.
        }
        await sleep(POLL_MS);
      }
    },
    [api],
  );

  useEffect(() => {
    // A run still going (started in another tab, or before a reload) is followed too.
    api<{ runs: RunViewT[]; total_count: number }>(`/api/dashboard/maintenance-runs?limit=${PAGE_SIZE}&offset=0`).then(
      (page) => {
        setRuns({ items: page.runs, total: page.total_count, offset: 0 });
        const going = page.runs.find((run) => run.status === 'running');
        if (!going || running.current) return;
        setActive(going);
        void follow((list) => list.find((run) => run.id === going.id), () => running.current).then(() => loadRuns(0));
      },
      (e: Error) => setError(e.message),
    );
  }, [api, loadRuns, follow]);

  async function onRun(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    setActive(null);
    setStarting(true);
    running.current = true;
    const known = new Set((runs?.items ?? []).map((run) => run.id));
    const user = endUser.trim();
    let finished = false;
    // Our run is the newest one of this job started from the dashboard that was not there before.
    const watching = follow((list) => list.find((run) => !known.has(run.id) && run.trigger === 'dashboard' && run.job_type === jobType), () => finished);
    try {
      const result = await api<{ status: 'success' | 'error' | 'running'; run: RunViewT }>(`/api/dashboard/maintenance/${jobType}${user ? `?${new URLSearchParams({ external_user_id: user })}` : ''}`, { method: 'POST' });
      // A long job answers while it goes on in the background: keep following it until its run finishes.
      finished = result.status !== 'running';
      setActive(result.run);
    } catch (e) {
      finished = true;
      setError((e as Error).message);
    } finally {
      await watching;
      running.current = false;
      setStarting(false);
      await loadRuns(0).catch(() => undefined);
    }
  }

  const job = JOBS.find((item) => item.id === jobType)!;

  return (
    <div className="max-w-4xl space-y-6">
      <header>
        <h1 className="text-2xl font-semibold">Maintenance</h1>
        <p className="mt-1 text-sm text-slate-600">Jobs also run on a schedule; run one now, for the whole account or one end user.</p>
      </header>
      {error && <Alert testId="maintenance-error">{error}</Alert>}
      <ScheduledPruningSetting />
      <Card title="Run maintenance">
        <form onSubmit={onRun} className="space-y-3">
          <div className="flex flex-col gap-3 sm:flex-row sm:items-end">
            <div className="flex-1">
              <Label htmlFor="job-type">Job</Label>
              <select
                id="job-type"
                value={jobType}
                onChange={(e) => setJobType(e.target.value as JobType)}
                className="block w-full rounded-md border-0 px-3 py-2 text-sm ring-1 ring-inset ring-slate-300"
                data-testid="maintenance-job"
              >
                {JOBS.map((item) => <option key={item.id} value={item.id}>{item.label}</option>)}
              </select>
            </div>
            <div className="flex-1">
              <Label htmlFor="job-user">End user (optional)</Label>
              <Input id="job-user" value={endUser} onChange={(e) => setEndUser(e.target.value)} placeholder="every end user" maxLength={255} data-testid="maintenance-user" />
            </div>
            <Button type="submit" disabled={starting} data-testid="run-maintenance">{starting ? 'Running…' : 'Run now'}</Button>
          </div>
          <p className="text-xs text-slate-500">{job.help}</p>
        </form>
        {(starting || active) && (
          <div className="mt-4 space-y-3">
            {active ? (
              <ProgressBar testId="maintenance-progress" status={active.status} value={fractionOf(active) * 100} label={labelOf(active)} />
            ) : (
              <ProgressBar testId="maintenance-progress" status="running" value={0} label={`${jobType}: starting…`} />
            )}
            {active && active.status !== 'running' && (
              <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm" data-testid="maintenance-result">
                {flatten(active.counts).map(([key, value]) => (
                  <div key={key} className="contents">
                    <dt className="text-slate-500">{key}</dt>
                    <dd className="tabular-nums" data-testid={`maintenance-count-${key.replace(/\W+/g, '-')}`}>{value}</dd>
                  </div>
                ))}
              </dl>
            )}
          </div>
        )}
      </Card>

      <Card title="Recent runs">
        {runs === null ? (
          <Spinner />
        ) : runs.items.length === 0 ? (
          <EmptyState title="No runs yet">Runs you start here, from the API or on schedule show here.</EmptyState>
        ) : (
          <>
            <div className="overflow-x-auto">
              <table className="min-w-full text-left text-sm" data-testid="runs-table">
                <thead className="text-xs uppercase text-slate-500">
                  <tr>
                    <th className="py-2 pr-4">Job</th>
                    <th className="py-2 pr-4">Trigger</th>
                    <th className="py-2 pr-4">Status</th>
                    <th className="py-2 pr-4">Started</th>
                    <th className="py-2 pr-4">Took</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {runs.items.map((run) => (
                    <tr key={run.id} data-testid="run-row">
                      <td className="py-2 pr-4 font-medium">{run.job_type}{run.params.external_user_id ? <span className="block text-xs text-slate-500">{String(run.params.external_user_id)}</span> : null}</td>
                      <td className="py-2 pr-4 text-slate-600">{run.trigger}</td>
                      <td className="py-2 pr-4">
                        <span data-testid="run-status">{run.status}</span>
                        {attemptOf(run) && <span className="block text-xs text-slate-500" data-testid="run-attempts">{attemptOf(run)}</span>}
                        {run.status !== 'succeeded' && run.status !== 'running' && run.error && <span className="block max-w-xs text-xs text-slate-500" data-testid="run-error">{run.error}</span>}
                      </td>
                      <td className="py-2 pr-4 text-slate-600">{new Date(run.started_at).toLocaleString()}</td>
                      <td className="py-2 pr-4 tabular-nums text-slate-600">{run.duration_ms !== null ? `${(run.duration_ms / 1000).toFixed(1)} s` : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {runs.total > PAGE_SIZE && (
              <div className="mt-4 flex items-center justify-between text-sm">
                <Button variant="secondary" disabled={runs.offset === 0} onClick={() => void loadRuns(Math.max(0, runs.offset - PAGE_SIZE))}>Previous</Button>
                <span className="text-slate-500">{runs.offset + 1}–{Math.min(runs.total, runs.offset + PAGE_SIZE)} of {runs.total}</span>
                <Button variant="secondary" disabled={runs.offset + PAGE_SIZE >= runs.total} onClick={() => void loadRuns(runs.offset + PAGE_SIZE)}>Next</Button>
              </div>
            )}
          </>
        )}
      </Card>
    </div>
  );
}

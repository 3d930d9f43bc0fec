'use client';
import { useEffect, useState } from 'react';
import { Alert, Card, EmptyState, Spinner } from '@/components/ui/primitives';
import { useApi } from './use-api';
import type { UsageReportResponseT } from '@/lib/schemas/dashboard';
import type { RunViewT } from '@/lib/schemas/maintenance';

type Usage = UsageReportResponseT;
type Run = RunViewT;

function RequestsChart({ daily }: { daily: Usage['daily'] }) {
  const max = Math.max(1, ...daily.map((d) => d.requests));
  const width = 600;
  const height = 120;
  const bar = width / daily.length;
  return (
    <svg viewBox={`0 0 ${width} ${height + 16}`} className="h-40 w-full" role="img" aria-label="API requests per day, last 30 days" data-testid="requests-chart">
      {daily.map((d, i) => {
        const h = (d.requests / max) * height;
        const e = (d.errors / max) * height;
        return (
          <g key={d.day}>
            <title>{`${d.day}: ${d.requests} requests, ${d.errors} errors`}</title>
            <rect x={i * bar + 1} y={height - h} width={bar - 2} height={h} className="fill-brand-500" />
            {e > 0 && <rect x={i * bar + 1} y={height - e} width={bar - 2} height={e} className="fill-red-500" />}
          </g>
        );
      })}
      <text x="0" y={height + 14} className="fill-slate-500 text-[10px]">{daily[0]?.day}</text>
      <text x={width} y={height + 14} textAnchor="end" className="fill-slate-500 text-[10px]">{daily.at(-1)?.day}</text>
    </svg>
  );
}

export function UsagePanels() {
  const api = useApi();
  const [usage, setUsage] = useState<Usage | null>(null);
  const [runs, setRuns] = useState<Run[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api<Usage>('/api/dashboard/usage').then(setUsage, (e: Error) => setError(e.message));
    api<{ runs: Run[] }>('/api/dashboard/maintenance-runs?limit=10').then((r) => setRuns(r.runs), (e: Error) => setError(e.message));
  }, [api]);

  if (error) return <Alert>{error}</Alert>;
  return (
    <>
      <Card title="API requests, last 30 days">
        {!usage ? (
          <Spinner />
        ) : (
          <>
            {usage.daily.every((d) => d.requests === 0) ? (
              <EmptyState title="No API requests yet">Calls made with your API keys show here, per day.</EmptyState>
            ) : (
              <RequestsChart daily={usage.daily} />
            )}
            <p className="mt-2 text-sm text-slate-600" data-testid="latency">
              Latency over 7 days ({usage.latency.requests_7d.toLocaleString()} requests): p50{' '}
              {usage.latency.p50_ms === null ? '—' : `${Math.round(usage.latency.p50_ms)} ms`}, p95 {usage.latency.p95_ms === null ? '—' : `${Math.round(usage.latency.p95_ms)} ms`}
            </p>
          </>
        )}
      </Card>
      <Card title="Recent errors">
        {!usage ? (
          <Spinner />
        ) : usage.recent_errors.length === 0 ? (
          <EmptyState title="No errors">Failed API calls show here with their request id.</EmptyState>
        ) : (
          <ul className="divide-y divide-slate-100 text-sm" data-testid="recent-errors">
            {usage.recent_errors.map((e) => (
              <li key={e.request_id} className="flex flex-wrap justify-between gap-2 py-2">
                <span><span className="font-mono text-red-700">{e.status}</span> {e.method} {e.path}</span>
                <span className="font-mono text-xs text-slate-500">{e.request_id} · {new Date(e.created_at).toLocaleString()}</span>
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Card title="Maintenance runs">
        {!runs ? (
          <Spinner />
        ) : runs.length === 0 ? (
          <EmptyState title="No maintenance runs yet">Run POST /v1/memory/maintenance/all, or schedule it (see the docs).</EmptyState>
        ) : (
          <table className="w-full text-left text-sm" data-testid="maintenance-runs">
            <thead className="text-xs uppercase text-slate-500"><tr><th className="py-1">Job</th><th>Status</th><th>Started</th><th>Took</th></tr></thead>
            <tbody className="divide-y divide-slate-100">
              {runs.map((run) => (
                <tr key={run.id} title={run.error ?? JSON.stringify(run.counts)}>
                  <td className="py-1">{run.job_type} <span className="text-xs text-slate-500">({run.trigger})</span></td>
                  <td className={run.status === 'succeeded' ? 'text-emerald-700' : run.status === 'running' ? 'text-slate-600' : 'text-red-700'}>{run.status}</td>
                  <td>{new Date(run.started_at).toLocaleString()}</td>
                  <td>{run.duration_ms === null ? '…' : `${run.duration_ms} ms`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </>
  );
}

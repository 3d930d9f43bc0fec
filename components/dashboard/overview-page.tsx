'use client';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { Alert, Card, Spinner } from '@/components/ui/primitives';
import { UsagePanels } from './usage-panels';
import { useApi } from './use-api';
import type { MemoryStatsResponseT } from '@/lib/schemas/memory';

type Overview = MemoryStatsResponseT;

function Meter({ label, used, limit, testId }: { label: string; used: number; limit: number | null; testId: string }) {
  const share = limit ? Math.min(100, (used / limit) * 100) : 0;
  return (
    <div data-testid={testId}>
      <div className="flex justify-between text-sm">
        <span className="text-slate-600">{label}</span>
        <span className="font-medium tabular-nums">
          {used.toLocaleString()} / {limit === null ? 'Unlimited' : limit.toLocaleString()}
        </span>
      </div>
      <div className="mt-1 h-2 rounded-full bg-slate-100" role="progressbar" aria-label={label} aria-valuenow={Math.round(share)} aria-valuemin={0} aria-valuemax={100}>
        <div className={`h-2 rounded-full ${share > 90 ? 'bg-red-500' : 'bg-brand-500'}`} style={{ width: `${share}%` }} />
      </div>
    </div>
  );
}

export function OverviewPage() {
  const api = useApi();
  const [data, setData] = useState<Overview | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api<Overview>('/api/dashboard/overview').then(setData, (e: Error) => setError(e.message));
  }, [api]);

  if (error) return <Alert>{error}</Alert>;
  if (!data) return <Spinner />;
  const searchesUsed = data.plan.search_limit_period === 'day' ? data.usage.searches_today : data.usage.searches_this_month;
  return (
    <div className="max-w-4xl space-y-6">
      <header>
        <h1 className="text-2xl font-semibold">Overview</h1>
        <p className="mt-1 text-sm text-slate-600">
          Plan: <span className="font-medium" data-testid="plan-name">{data.plan.name}</span>
          {data.plan.requests_per_minute !== null && <> · {data.plan.requests_per_minute} requests/min</>}
        </p>
      </header>
      <div className="grid gap-4 sm:grid-cols-3">
        <Card><p className="text-sm text-slate-600">Memories</p><p className="text-2xl font-semibold tabular-nums" data-testid="total-memories">{data.total_memories.toLocaleString()}</p></Card>
        <Card><p className="text-sm text-slate-600">End users</p><p className="text-2xl font-semibold tabular-nums">{data.end_users.toLocaleString()}</p></Card>
        <Card><p className="text-sm text-slate-600">New in 24 h</p><p className="text-2xl font-semibold tabular-nums">{data.memories_last_24h.toLocaleString()}</p></Card>
      </div>
      <Card title="Usage this period">
        <div className="space-y-4">
          <Meter label="Memories stored" used={data.total_memories} limit={data.plan.memory_limit} testId="meter-memories" />
          <Meter label={`Searches (per ${data.plan.search_limit_period ?? 'month'})`} used={searchesUsed} limit={data.plan.search_limit} testId="meter-searches" />
          <Meter label="LLM tokens (per month)" used={data.usage.tokens_this_month.total} limit={data.plan.token_limit} testId="meter-tokens" />
          <Meter label="Storage (MB)" used={data.usage.storage_used_mb} limit={data.plan.storage_limit_mb} testId="meter-storage" />
        </div>
      </Card>
      <UsagePanels />
      {data.total_memories === 0 && (
        <Card title="Get started">
          <ol className="list-decimal space-y-1 pl-5 text-sm text-slate-700">
            <li><Link className="text-brand-600 hover:underline" href="/dashboard/keys">Create an API key</Link>.</li>
            <li>Store a memory from your backend with <code>POST /v1/memory/</code>.</li>
            <li>Try chatting in the <Link className="text-brand-600 hover:underline" href="/dashboard/playground">Playground</Link>.</li>
          </ol>
        </Card>
      )}
    </div>
  );
}

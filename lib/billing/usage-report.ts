import type { Ctx } from '@/lib/api/context';

/** The dashboard's usage view: requests per day for 30 days, latency percentiles, and recent errors. */
export async function getUsageReport({ ctx }: { ctx: Ctx }) {
  const now = ctx.now();
  const [daily, latency, errors] = await Promise.all([
    ctx.db.query<{ day: string; requests: number; errors: number }>(
      `select to_char(d.day, 'YYYY-MM-DD') as day,
              count(r.id)::int as requests, count(r.id) filter (where r.status >= 400)::int as errors
       from generate_series(date_trunc('day', $2::timestamptz) - interval '29 days', date_trunc('day', $2::timestamptz), interval '1 day') as d(day)
       left join request_log r on r.account_id = $1 and r.created_at >= d.day and r.created_at < d.day + interval '1 day'
       group by d.day order by d.day`,
      [ctx.account.id, now],
    ),
    ctx.db.query<{ p50: number | null; p95: number | null; count: number }>(
      `select percentile_cont(0.5) within group (order by duration_ms)::float8 as p50,
              percentile_cont(0.95) within group (order by duration_ms)::float8 as p95, count(*)::int as count
       from request_log where account_id = $1 and created_at > $2::timestamptz - interval '7 days'`,
      [ctx.account.id, now],
    ),
    ctx.db.query<{ request_id: string; method: string; path: string; status: number; created_at: Date }>(
      'select request_id, method, path, status, created_at from request_log where account_id = $1 and status >= 400 order by created_at desc, id desc limit 10',
      [ctx.account.id],
    ),
  ]);
  return {
    daily,
    latency: { p50_ms: latency[0]?.p50 ?? null, p95_ms: latency[0]?.p95 ?? null, requests_7d: latency[0]?.count ?? 0 },
    recent_errors: errors.map((e) => ({ ...e, created_at: new Date(e.created_at).toISOString() })),
  };
}

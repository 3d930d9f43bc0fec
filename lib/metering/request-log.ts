import type { Ctx } from '@/lib/core/context';
import { deferBatch } from '@/lib/core/after-response';
import type { Db } from '@/lib/db';
import { recordUsage } from './usage-counters';

// The request log (one row per API-key request): written here after each response, read here for the dashboard's
// usage view, and purged here by scheduled maintenance. Nothing else touches the table.

export interface RequestLogRow {
  accountId: string;
  keyId: string | null;
  requestId: string;
  method: string;
  path: string;
  status: number;
  durationMs: number;
}

/**
 * One insert for every request logged since the last flush, and one counter update per account, in one transaction:
 * a flush that fails part-way leaves nothing behind, so its retry cannot count a request twice.
 */
async function writeRequestLog(db: Db, rows: RequestLogRow[], now: Date): Promise<void> {
  await db.transaction((tx) => writeRequestLogIn(tx, rows, now));
}

async function writeRequestLogIn(db: Db, rows: RequestLogRow[], now: Date): Promise<void> {
  await db.query(
    `insert into request_log (account_id, api_key_id, request_id, method, path, status, duration_ms)
     select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[])`,
    [rows.map((r) => r.accountId), rows.map((r) => r.keyId) as string[], rows.map((r) => r.requestId), rows.map((r) => r.method), rows.map((r) => r.path), rows.map((r) => String(r.status)), rows.map((r) => String(r.durationMs))],
  );
  const perAccount = new Map<string, number>();
  for (const row of rows) perAccount.set(row.accountId, (perAccount.get(row.accountId) ?? 0) + 1);
  for (const [accountId, count] of perAccount) await recordUsage({ db, account: { id: accountId }, now: () => now }, 'requests', count);
}

/** The one path segment that names an end user (DELETE /v1/users/{external_user_id}); the log keeps the template. */
const END_USER_PATH = /^((?:\/api)?\/v1\/users\/)[^/]+/;
const END_USER_TEMPLATE = '$1{external_user_id}';

/** After the response: a request-log row (usage charts, latency, recent errors) and the daily request counter. */
export function logRequest(ctx: Pick<Ctx, 'db' | 'now'>, row: RequestLogRow): void {
  // An erased end user's id must not outlive the erasure in the log of the very request that erased it.
  deferBatch('request_log', { ...row, path: row.path.replace(END_USER_PATH, END_USER_TEMPLATE) }, (rows) => writeRequestLog(ctx.db, rows, ctx.now()));
}

/** How a path carries the id; an id that is not valid Unicode (a lone surrogate) has no URL form. */
function encodedSegment(id: string): string {
  try {
    return encodeURIComponent(id);
  } catch {
    return id;
  }
}

/** Erasing an end user: rows logged before paths were redacted lose the id too. */
export async function forgetEndUserInRequestLog(db: Db, scope: { accountId: string; externalUserId: string }): Promise<number> {
  const segments = [...new Set([scope.externalUserId, encodedSegment(scope.externalUserId)])];
  const paths = segments.flatMap((segment) => [`/v1/users/${segment}`, `/api/v1/users/${segment}`]);
  const rows = await db.query(
    "update request_log set path = regexp_replace(path, '/users/[^/]+', '/users/{external_user_id}') where account_id = $1 and path = any($2::text[]) returning id",
    [scope.accountId, paths],
  );
  return rows.length;
}

/** The dashboard charts 30 days; rows older than 90 are dropped by scheduled maintenance. */
export async function purgeRequestLog(db: Db, now: Date): Promise<number> {
  const rows = await db.query("delete from request_log where created_at < $1::timestamptz - interval '90 days' returning id", [now]);
  return rows.length;
}

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

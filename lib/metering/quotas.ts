import type { Db } from '@/lib/db';
import { ApiError } from '@/lib/errors';
import { planOf } from '@/lib/billing/plans';
import { addToCounter, dayPeriod, monthPeriod, recordUsage, type UsageMetric } from './usage-counters';

export interface QuotaCtx {
  db: Db;
  account: { id: string; plan: string };
  now: () => Date;
}

const LIMIT_MESSAGE = 'Rate limit exceeded. Upgrade your plan or wait.';

function secondsUntilPeriodEnd(now: Date, period: 'day' | 'month' | 'never'): number {
  if (period === 'never') return 86_400;
  const end = period === 'day'
    ? Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1)
    : Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
  return Math.max(1, Math.ceil((end - now.getTime()) / 1000));
}

export function quotaExceeded(now: Date, period: 'day' | 'month' | 'never', what: string): ApiError {
  return new ApiError('rate_limited', LIMIT_MESSAGE, { headers: { 'Retry-After': String(secondsUntilPeriodEnd(now, period)), 'X-Quota-Exceeded': what } });
}

/**
 * Counts `amount` against a per-period quota atomically: the counter only moves while it stays within the limit,
 * so when many requests race for the last units exactly that many succeed. Throws 429 otherwise (nothing counted).
 */
export async function consumeQuota(ctx: QuotaCtx, metric: UsageMetric, amount: number, quota: { limit: number; period: 'day' | 'month' } | null): Promise<void> {
  if (!quota) return recordUsage(ctx, metric, amount);
  const now = ctx.now();
  const periods = { day: dayPeriod(now), month: monthPeriod(now) };
  if (amount > quota.limit) throw quotaExceeded(now, quota.period, metric);
  const rows = await ctx.db.query(
    `insert into usage_counters (account_id, metric, period, value) values ($1, $2, $3, $4)
     on conflict (account_id, metric, period) do update set value = usage_counters.value + excluded.value
       where usage_counters.value + excluded.value <= $5
     returning value`,
    [ctx.account.id, metric, periods[quota.period], amount, quota.limit],
  );
  if (rows.length === 0) throw quotaExceeded(now, quota.period, metric);
  await addToCounter(ctx.db, ctx.account.id, metric, [quota.period === 'day' ? periods.month : periods.day], amount);
}

/** One search (search, context) against the plan's search quota. */
export function consumeSearch(ctx: QuotaCtx): Promise<void> {
  return consumeQuota(ctx, 'searches', 1, planOf(ctx.account.plan).searches);
}

/**
 * Whether `count` more active memories fit the account's plan. With `lock` (inside a transaction) the account row
 * is locked until commit, so racing stores are decided one at a time; without it, a quick read.
 */
export async function hasMemoryRoom(db: Db, ctx: QuotaCtx, count: number, options: { lock?: boolean } = {}): Promise<boolean> {
  const limit = planOf(ctx.account.plan).memories;
  if (limit === null && !options.lock) return true;
  const rows = await db.query<{ memory_count: number }>(`select memory_count from accounts where id = $1${options.lock ? ' for update' : ''}`, [ctx.account.id]);
  return limit === null || (rows[0]?.memory_count ?? 0) + count <= limit;
}

/**
 * Inside a transaction: locks the account row and checks that `count` more active memories fit the plan (429 if
 * not). Call before inserting; the insert trigger then moves memory_count.
 */
export async function reserveMemories(tx: Db, ctx: QuotaCtx, count: number): Promise<void> {
  if (!(await hasMemoryRoom(tx, ctx, count, { lock: true }))) throw quotaExceeded(ctx.now(), 'never', 'memories');
}

/** Before an LLM call: refuses once the month's tokens are spent (the call's own tokens are counted after it). */
export async function assertTokensLeft(ctx: QuotaCtx): Promise<void> {
  const limit = planOf(ctx.account.plan).tokensPerMonth;
  if (limit === null) return;
  const rows = await ctx.db.query<{ used: string | number }>(
    `select coalesce(sum(value), 0) as used from usage_counters where account_id = $1 and period = $2 and metric in ('tokens_prompt', 'tokens_completion')`,
    [ctx.account.id, monthPeriod(ctx.now())],
  );
  if (Number(rows[0]?.used ?? 0) >= limit) throw quotaExceeded(ctx.now(), 'month', 'tokens');
}

/**
 * Before an LLM call: reserves `estimate` tokens of the month (the prompt as counted here plus the most the model may
 * answer), refusing with 429 when they do not fit. The reservation is one conditional update of the month's prompt
 * counter, so N concurrent calls cannot together overshoot the plan. settleTokens replaces it with what was used.
 */
export async function reserveTokens(ctx: QuotaCtx, estimate: number): Promise<void> {
  const limit = planOf(ctx.account.plan).tokensPerMonth;
  const now = ctx.now();
  if (limit === null) return addToCounter(ctx.db, ctx.account.id, 'tokens_prompt', [monthPeriod(now), dayPeriod(now)], estimate);
  const rows = await ctx.db.query(
    `insert into usage_counters as u (account_id, metric, period, value)
     select $1::uuid, 'tokens_prompt', $2::text, $3::bigint
     where $3::bigint + coalesce((select sum(value) from usage_counters where account_id = $1::uuid and period = $2::text and metric in ('tokens_prompt', 'tokens_completion')), 0) <= $4::bigint
     on conflict (account_id, metric, period) do update set value = u.value + excluded.value
       where u.value + excluded.value + coalesce((select c.value from usage_counters c where c.account_id = $1::uuid and c.period = $2::text and c.metric = 'tokens_completion'), 0) <= $4::bigint
     returning value`,
    [ctx.account.id, monthPeriod(now), estimate, limit],
  );
  if (rows.length === 0) throw quotaExceeded(now, 'month', 'tokens');
  await addToCounter(ctx.db, ctx.account.id, 'tokens_prompt', [dayPeriod(now)], estimate);
}

/** After the call: the reservation becomes the tokens actually used (prompt and completion counters). */
export async function settleTokens(ctx: QuotaCtx, reserved: number, used: { promptTokens: number; completionTokens: number }): Promise<void> {
  await recordUsage(ctx, 'tokens_prompt', used.promptTokens - reserved);
  await recordUsage(ctx, 'tokens_completion', used.completionTokens);
}

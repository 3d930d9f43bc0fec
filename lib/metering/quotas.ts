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

export function quotaExceeded(now: Date, period: 'day' | 'month' | 'never', what: string, message = LIMIT_MESSAGE): ApiError {
  return new ApiError('rate_limited', message, { headers: { 'Retry-After': String(secondsUntilPeriodEnd(now, period)), 'X-Quota-Exceeded': what } });
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

const MIB = 1_048_576;

/** New rows as the storage check prices them: with the SQL functions the storage triggers count with (migration 0020). */
export interface StorageRows {
  memories?: { content: string; metadata?: Record<string, unknown>; context?: string | null }[];
  chatMessages?: string[];
}

export interface StorageRoom {
  fits: boolean;
  usedBytes: number;
  addingBytes: number;
  limitBytes: number | null;
}

/**
 * Whether `rows` fit the plan's storage (accounts.storage_bytes, kept by triggers: every memory row, archived and
 * superseded ones included, and every chat message). With `lock` (inside a transaction) the account row is locked
 * until commit, so racing writers are decided one at a time. A write that adds nothing always fits.
 */
export async function hasStorageRoom(db: Db, ctx: QuotaCtx, rows: StorageRows, options: { lock?: boolean } = {}): Promise<StorageRoom> {
  const limitMb = planOf(ctx.account.plan).storageLimitMb;
  if (limitMb === null) return { fits: true, usedBytes: 0, addingBytes: 0, limitBytes: null };
  const memories = rows.memories ?? [];
  const [row] = await db.query<{ used: number; adding: number }>(
    `select a.storage_bytes::float8 as used,
            ((select coalesce(sum(memory_storage_bytes(m.content, m.metadata::jsonb, m.context)), 0)
              from unnest($2::text[], $3::text[], $4::text[]) as m(content, metadata, context))
           + (select coalesce(sum(chat_message_storage_bytes(c.content)), 0) from unnest($5::text[]) as c(content)))::float8 as adding
     from accounts a where a.id = $1${options.lock ? ' for update of a' : ''}`,
    [
      ctx.account.id,
      memories.map((memory) => memory.content),
      memories.map((memory) => JSON.stringify(memory.metadata ?? {})),
      memories.map((memory) => memory.context ?? ''),
      rows.chatMessages ?? [],
    ],
  );
  const usedBytes = Number(row?.used ?? 0);
  const addingBytes = Number(row?.adding ?? 0);
  const limitBytes = limitMb * MIB;
  return { fits: addingBytes === 0 || usedBytes + addingBytes <= limitBytes, usedBytes, addingBytes, limitBytes };
}

const megabytes = (bytes: number) => (Math.round((bytes / MIB) * 100) / 100).toLocaleString('en-US');

/** The 429 of a write that does not fit the plan's storage, with the figures. */
export function storageExceeded(now: Date, room: StorageRoom): ApiError {
  return quotaExceeded(
    now,
    'never',
    'storage',
    `Storage limit exceeded: ${megabytes(room.usedBytes)} MB of the plan's ${megabytes(room.limitBytes ?? 0)} MB are used and this write needs ${room.addingBytes.toLocaleString('en-US')} bytes more. Delete memories or chat history, or upgrade your plan.`,
  );
}

/** Inside a transaction, before writing `rows`: locks the account row and refuses with 429 when they do not fit. */
export async function reserveStorage(tx: Db, ctx: QuotaCtx, rows: StorageRows): Promise<void> {
  const room = await hasStorageRoom(tx, ctx, rows, { lock: true });
  if (!room.fits) throw storageExceeded(ctx.now(), room);
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

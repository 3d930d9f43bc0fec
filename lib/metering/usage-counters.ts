import type { Db } from '@/lib/db';

export type UsageMetric = 'searches' | 'tokens_prompt' | 'tokens_completion' | 'requests';

export const monthPeriod = (now: Date) => now.toISOString().slice(0, 7);
export const dayPeriod = (now: Date) => now.toISOString().slice(0, 10);

/** Adds `amount` (negative to give back a reservation) to one counter (account, metric, period), creating it if needed; atomic. */
export async function addToCounter(db: Db, accountId: string, metric: UsageMetric, periods: string[], amount: number): Promise<void> {
  if (amount === 0 || periods.length === 0) return;
  const rows = periods.map((_, i) => `($1, $2, $${i + 4}, $3)`).join(', ');
  await db.query(
    `insert into usage_counters (account_id, metric, period, value) values ${rows}
     on conflict (account_id, metric, period) do update set value = usage_counters.value + excluded.value`,
    [accountId, metric, amount, ...periods],
  );
}

/** Adds to the account's counters for the current day and month, atomically. */
export async function recordUsage(ctx: { db: Db; account: { id: string }; now: () => Date }, metric: UsageMetric, amount: number): Promise<void> {
  const now = ctx.now();
  await addToCounter(ctx.db, ctx.account.id, metric, [monthPeriod(now), dayPeriod(now)], amount);
}

export async function readUsage(db: Db, accountId: string, now: Date): Promise<Record<string, number>> {
  const rows = await db.query<{ metric: string; period: string; value: string | number }>(
    'select metric, period, value from usage_counters where account_id = $1 and period = any($2::text[])',
    [accountId, [monthPeriod(now), dayPeriod(now)]],
  );
  const out: Record<string, number> = {};
  for (const row of rows) out[`${row.metric}_${row.period.length === 7 ? 'month' : 'day'}`] = Number(row.value);
  return out;
}

import { agentScopeOf } from '@/lib/core/access';
import type { Ctx } from '@/lib/core/context';
import { queryOne } from '@/lib/db';
import { planOf } from '@/lib/billing/plans';
import { readUsage } from '@/lib/metering/usage-counters';

interface StatsRow {
  total: number;
  archived: number;
  superseded: number;
  end_users: number;
  avg_importance: number | null;
  total_access: number;
  last_24h: number;
  oldest: Date | null;
  newest: Date | null;
}

const iso = (value: Date | null) => (value ? new Date(value).toISOString() : null);

/**
 * Aggregates over the account (or one end user), with usage this period against the plan. An agent-scoped key's
 * memory figures are its agent's only; usage and plan stay the account's (the plan's counters are kept per account).
 */
export async function getMemoryStats({ ctx, input }: { ctx: Ctx; input: { external_user_id?: string } }) {
  const now = ctx.now();
  const row = (await queryOne<StatsRow>(
    ctx.db,
    `select count(*) filter (where archived_at is null and superseded_by is null)::int as total,
            count(*) filter (where archived_at is not null)::int as archived,
            count(*) filter (where superseded_by is not null)::int as superseded,
            count(distinct end_user_id)::int as end_users,
            avg(importance) filter (where archived_at is null)::float8 as avg_importance,
            coalesce(sum(access_count), 0)::int as total_access,
            count(*) filter (where created_at > $3::timestamptz - interval '24 hours')::int as last_24h,
            min(created_at) as oldest, max(created_at) as newest
     from memories where account_id = $1 and ($2::text is null or end_user_id = $2) and ($4::text is null or agent_id = $4)`,
    [ctx.account.id, input.external_user_id ?? null, now, agentScopeOf(ctx.caller) ?? null],
  ))!;
  const [usage, account] = await Promise.all([
    readUsage(ctx.db, ctx.account.id, now),
    queryOne<{ storage_bytes: number }>(ctx.db, 'select storage_bytes::float8 as storage_bytes from accounts where id = $1', [ctx.account.id]),
  ]);
  const plan = planOf(ctx.account.plan);
  const promptTokens = usage.tokens_prompt_month ?? 0;
  const completionTokens = usage.tokens_completion_month ?? 0;
  return {
    total_memories: row.total,
    archived_memories: row.archived,
    superseded_memories: row.superseded,
    end_users: row.end_users,
    avg_importance: row.avg_importance === null ? 0 : Math.round(row.avg_importance * 10_000) / 10_000,
    total_access_count: row.total_access,
    memories_last_24h: row.last_24h,
    oldest_memory_at: iso(row.oldest),
    newest_memory_at: iso(row.newest),
    external_user_id: input.external_user_id ?? null,
    usage: {
      period: now.toISOString().slice(0, 7),
      searches_today: usage.searches_day ?? 0,
      searches_this_month: usage.searches_month ?? 0,
      tokens_this_month: { prompt: promptTokens, completion: completionTokens, total: promptTokens + completionTokens },
      // The plan's counter, so the account's whole storage (every agent's), as its limit applies to it.
      storage_used_mb: Math.round((Number(account?.storage_bytes ?? 0) / 1_048_576) * 100) / 100,
    },
    plan: {
      id: plan.id,
      name: plan.name,
      memory_limit: plan.memories,
      search_limit: plan.searches?.limit ?? null,
      search_limit_period: plan.searches?.period ?? null,
      token_limit: plan.tokensPerMonth,
      requests_per_minute: plan.requestsPerMinute,
      storage_limit_mb: plan.storageLimitMb,
    },
  };
}

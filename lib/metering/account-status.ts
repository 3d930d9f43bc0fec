import { agentScopeOf } from '@/lib/core/access';
import type { Ctx } from '@/lib/core/context';
import { queryOne } from '@/lib/db';
import { planOf } from '@/lib/billing/plans';
import { readUsage } from './usage-counters';

/**
 * GET /v1/status: plan, usage and limits in m3mory's field names. For an agent-scoped key the stored memories and their
 * storage are its agent's only; requests, tokens and searches stay the account's (the plan's counters are per account).
 */
export async function getAccountStatus({ ctx }: { ctx: Ctx }) {
  const now = ctx.now();
  const plan = planOf(ctx.account.plan);
  const [storage, usage] = await Promise.all([
    queryOne<{ memories: number; bytes: string | number }>(
      ctx.db,
      `select count(*) filter (where archived_at is null and superseded_by is null)::int as memories,
              coalesce(sum(octet_length(content) + octet_length(metadata::text) + coalesce(octet_length(context), 0)
                            + coalesce(vector_dims(embedding), 0) * 4), 0)::bigint as bytes
       from memories where account_id = $1 and ($2::text is null or agent_id = $2)`,
      [ctx.account.id, agentScopeOf(ctx.caller) ?? null],
    ),
    readUsage(ctx.db, ctx.account.id, now),
  ]);
  const searchesUsed = plan.searches?.period === 'day' ? (usage.searches_day ?? 0) : (usage.searches_month ?? 0);
  return {
    plan: plan.id,
    memoriesStored: storage?.memories ?? 0,
    memoryLimit: plan.memories,
    storageUsedMb: Math.round((Number(storage?.bytes ?? 0) / 1_048_576) * 100) / 100,
    storageLimitMb: plan.storageLimitMb,
    requestsToday: usage.requests_day ?? 0,
    rateLimitPerMin: plan.requestsPerMinute,
    tokensUsed: (usage.tokens_prompt_month ?? 0) + (usage.tokens_completion_month ?? 0),
    tokenLimit: plan.tokensPerMonth,
    searchesUsed,
    searchLimit: plan.searches?.limit ?? null,
    searchLimitPeriod: plan.searches?.period ?? null,
    period: now.toISOString().slice(0, 7),
  };
}

import { agentScopeOf } from '@/lib/core/access';
import type { Ctx } from '@/lib/core/context';
import { queryOne } from '@/lib/db';
import { planOf } from '@/lib/billing/plans';
import { ACTIVE } from '@/lib/memory/records/row';
import { readUsage } from './usage-counters';

/**
 * GET /v1/status: plan, usage and limits in m3mory's field names. For an agent-scoped key the stored memories are its
 * agent's only; requests, tokens, searches and storage stay the account's (the plan's counters are per account).
 *
 * Cheap on any account: memoriesStored is the account's counter (accounts.memory_count) and storageUsedMb its byte
 * counter (accounts.storage_bytes: every memory row, archived and superseded ones too, and every chat message), both
 * kept by triggers; storage is what the plan's storageLimitMb is enforced against.
 */
export async function getAccountStatus({ ctx }: { ctx: Ctx }) {
  const now = ctx.now();
  const plan = planOf(ctx.account.plan);
  const agentId = agentScopeOf(ctx.caller) ?? null;
  const [stored, account, usage] = await Promise.all([
    agentId === null
      ? queryOne<{ memories: number }>(ctx.db, 'select memory_count as memories from accounts where id = $1', [ctx.account.id])
      : queryOne<{ memories: number }>(
          ctx.db,
          `select count(*)::int as memories from memories m where m.account_id = $1 and m.agent_id = $2 and ${ACTIVE}`,
          [ctx.account.id, agentId],
        ),
    queryOne<{ storage_bytes: number }>(ctx.db, 'select storage_bytes::float8 as storage_bytes from accounts where id = $1', [ctx.account.id]),
    readUsage(ctx.db, ctx.account.id, now),
  ]);
  const memoriesStored = Number(stored?.memories ?? 0);
  const bytes = Number(account?.storage_bytes ?? 0);
  const searchesUsed = plan.searches?.period === 'day' ? (usage.searches_day ?? 0) : (usage.searches_month ?? 0);
  return {
    plan: plan.id,
    memoriesStored,
    memoryLimit: plan.memories,
    storageUsedMb: Math.round((bytes / 1_048_576) * 100) / 100,
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

import { agentScopeOf } from '@/lib/core/access';
import type { Ctx } from '@/lib/core/context';
import { queryOne } from '@/lib/db';
import { planOf } from '@/lib/billing/plans';
import { ACTIVE } from '@/lib/memory/records/row';
import { readUsage } from './usage-counters';

/** Rows of the account read, newest first, to estimate the bytes of one memory (one index range scan, bounded). */
const STORAGE_SAMPLE_ROWS = 200;
const STORAGE_SCAN_ROWS = 2_000;

/**
 * GET /v1/status: plan, usage and limits in m3mory's field names. For an agent-scoped key the stored memories and their
 * storage are its agent's only; requests, tokens and searches stay the account's (the plan's counters are per account).
 *
 * Cheap on any account: memoriesStored is the account's counter (accounts.memory_count, kept by a trigger), and
 * storageUsedMb is an estimate, memoriesStored × the average bytes (content, metadata, context, embedding) of the
 * newest STORAGE_SAMPLE_ROWS memories; archived and superseded rows are not counted.
 */
export async function getAccountStatus({ ctx }: { ctx: Ctx }) {
  const now = ctx.now();
  const plan = planOf(ctx.account.plan);
  const agentId = agentScopeOf(ctx.caller) ?? null;
  const [stored, sample, usage] = await Promise.all([
    agentId === null
      ? queryOne<{ memories: number }>(ctx.db, 'select memory_count as memories from accounts where id = $1', [ctx.account.id])
      : queryOne<{ memories: number }>(
          ctx.db,
          `select count(*)::int as memories from memories m where m.account_id = $1 and m.agent_id = $2 and ${ACTIVE}`,
          [ctx.account.id, agentId],
        ),
    queryOne<{ avg_bytes: number | null }>(
      ctx.db,
      `select avg(bytes)::float8 as avg_bytes from (
         select octet_length(content) + octet_length(metadata::text) + coalesce(octet_length(context), 0) + coalesce(vector_dims(embedding), 0) * 4 as bytes
         from (select * from memories where account_id = $1 order by created_at desc, id desc limit $3) newest
         where $2::text is null or agent_id = $2
         limit $4) sample`,
      [ctx.account.id, agentId, STORAGE_SCAN_ROWS, STORAGE_SAMPLE_ROWS],
    ),
    readUsage(ctx.db, ctx.account.id, now),
  ]);
  const memoriesStored = Number(stored?.memories ?? 0);
  const bytes = memoriesStored * Number(sample?.avg_bytes ?? 0);
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

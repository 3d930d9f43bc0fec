import { agentScopeOf } from '@/lib/core/access';
import type { Ctx } from '@/lib/core/context';
import { lockAccount } from '@/lib/memory/records/account-lock';
import { deleteMemoriesWithHistory } from '@/lib/memory/records/delete';
import { removeStaleSummaries } from './summarize';

export interface PruneOptions {
  max_age_days: number;
  min_importance: number;
  max_memories: number;
  archive_only: boolean;
  dry_run: boolean;
  external_user_id?: string;
  /**
   * What "stale" counts from: `created` (the memory's date, which an import or an ingest timestamp may set in the
   * past; the default of a customer's own prune request) or `stored` (when it was written here, for scheduled runs).
   */
  age_from?: 'created' | 'stored';
}

export interface PruneCandidate {
  id: string;
  external_user_id: string;
  reason: 'low_importance' | 'stale' | 'over_max_memories';
}

/**
 * Which active memories pruning takes, each with its reason:
 *  - low_importance: importance below min_importance;
 *  - stale: no activity (created, or stored with age_from 'stored', or last accessed) for more than max_age_days;
 *  - over_max_memories: beyond the newest-active max_memories of its end user.
 * An agent-scoped key considers (and counts toward max_memories) its agent's memories only.
 */
export async function findPruneCandidates(ctx: Ctx, options: PruneOptions): Promise<PruneCandidate[]> {
  const rows = await ctx.db.query<{ id: string; end_user_id: string; reason: PruneCandidate['reason'] }>(
    `with active as (
       select id, end_user_id, importance,
              coalesce(last_accessed_at, case when $7::text = 'stored' then greatest(stored_at, created_at) else created_at end) as last_active,
              row_number() over (partition by end_user_id order by coalesce(last_accessed_at, created_at) desc, created_at desc, id) as position
       from memories
       where account_id = $1 and archived_at is null and superseded_by is null and ($2::text is null or end_user_id = $2)
         and ($6::text is null or agent_id = $6)
     )
     select id, end_user_id,
            case when importance < $3 then 'low_importance' when last_active < $4 then 'stale' else 'over_max_memories' end as reason
     from active
     where importance < $3 or last_active < $4 or position > $5
     order by end_user_id, last_active, id`,
    [
      ctx.account.id,
      options.external_user_id ?? null,
      options.min_importance,
      new Date(ctx.now().getTime() - options.max_age_days * 86_400_000),
      options.max_memories,
      agentScopeOf(ctx.caller) ?? null,
      options.age_from ?? 'created',
    ],
  );
  return rows.map((row) => ({ id: row.id, external_user_id: row.end_user_id, reason: row.reason }));
}

/** Archives (or deletes) the candidates, one end user per transaction. dry_run only reports them. */
export async function pruneMemories({ ctx, input }: { ctx: Ctx; input: PruneOptions }) {
  const candidates = await findPruneCandidates(ctx, input);
  const agentId = agentScopeOf(ctx.caller) ?? null;
  if (!input.dry_run) {
    const byUser = new Map<string, string[]>();
    for (const candidate of candidates) {
      const ids = byUser.get(candidate.external_user_id) ?? [];
      ids.push(candidate.id);
      byUser.set(candidate.external_user_id, ids);
    }
    for (const [endUserId, ids] of byUser) {
      await ctx.db.transaction(async (tx) => {
        await lockAccount(tx, ctx.account.id);
        if (input.archive_only) {
          await tx.query('update memories set archived_at = $3, updated_at = $3 where account_id = $1 and id = any($2::uuid[]) and ($4::text is null or agent_id = $4)', [
            ctx.account.id,
            ids,
            ctx.now(),
            agentId,
          ]);
        } else {
          // With their older versions and source chat turns: a pruned fact's predecessor must not become current.
          await deleteMemoriesWithHistory(tx, { accountId: ctx.account.id, agentId, now: ctx.now() }, ids);
        }
        await removeStaleSummaries(tx, { accountId: ctx.account.id, endUserId, agentId });
      });
    }
  }
  const reasons = candidates.reduce<Record<string, number>>((acc, c) => ({ ...acc, [c.reason]: (acc[c.reason] ?? 0) + 1 }), {});
  return {
    status: 'success' as const,
    dry_run: input.dry_run,
    archive_only: input.archive_only,
    pruned_count: candidates.length,
    by_reason: reasons,
    criteria: { max_age_days: input.max_age_days, min_importance: input.min_importance, max_memories: input.max_memories },
    memories: candidates.slice(0, 1000),
    truncated: candidates.length > 1000,
  };
}

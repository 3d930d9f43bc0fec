import { agentScopeOf } from '@/lib/core/access';
import type { Ctx } from '@/lib/core/context';
import { USE_SCALE } from '@/lib/memory/records/importance';

/** Half-life, in days without access, of the importance a memory earned by being used. */
export const USE_BOOST_HALF_LIFE_DAYS = 90;

/**
 * importance = base + (1 − base)·(1 − e^(−uses/50))·2^(−days since last use / 90) (uses: explicit uses, not search results)
 * The boost earned by use fades when a memory stops being used; the base never does. An agent-scoped key recalculates
 * its agent's memories only.
 */
export async function recalculateImportance(ctx: Ctx, endUserId?: string): Promise<number> {
  const rows = await ctx.db.query(
    `update memories set importance = least(1, base_importance + (1 - base_importance) * (1 - exp(-use_count / ${USE_SCALE}.0))
                                     * power(2, -(extract(epoch from ($3::timestamptz - coalesce(last_used_at, created_at))) / 86400.0) / $4))
     where account_id = $1 and ($2::text is null or end_user_id = $2) and ($5::text is null or agent_id = $5) and archived_at is null
     returning id`,
    [ctx.account.id, endUserId ?? null, ctx.now(), USE_BOOST_HALF_LIFE_DAYS, agentScopeOf(ctx.caller) ?? null],
  );
  return rows.length;
}

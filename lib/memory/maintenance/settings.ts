import type { Ctx } from '@/lib/core/context';

export interface MaintenanceSettings {
  /** Whether scheduled maintenance may archive stale memories (opt-in, off by default). */
  scheduled_pruning: boolean;
  /** Whether scheduled maintenance may write summaries with the configured LLM, spending the account's tokens (opt-in, off by default). */
  scheduled_llm_summaries: boolean;
}

/** The account's maintenance settings: what scheduled (operator-run) maintenance may do to it. Both off by default. */
export async function getMaintenanceSettings({ ctx }: { ctx: Ctx }): Promise<MaintenanceSettings> {
  const rows = await ctx.db.query<MaintenanceSettings>('select scheduled_pruning, scheduled_llm_summaries from accounts where id = $1', [ctx.account.id]);
  return { scheduled_pruning: rows[0]?.scheduled_pruning ?? false, scheduled_llm_summaries: rows[0]?.scheduled_llm_summaries ?? false };
}

/** Changes the settings given; one left out keeps its value. */
export async function setMaintenanceSettings({ ctx, input }: { ctx: Ctx; input: Partial<MaintenanceSettings> }) {
  await ctx.db.query(
    'update accounts set scheduled_pruning = coalesce($2, scheduled_pruning), scheduled_llm_summaries = coalesce($3, scheduled_llm_summaries) where id = $1',
    [ctx.account.id, input.scheduled_pruning ?? null, input.scheduled_llm_summaries ?? null],
  );
  return getMaintenanceSettings({ ctx });
}

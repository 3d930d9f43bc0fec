import type { Ctx } from '@/lib/core/context';

/** The account's maintenance settings: today, whether scheduled maintenance may prune (opt-in, off by default). */
export async function getMaintenanceSettings({ ctx }: { ctx: Ctx }) {
  const rows = await ctx.db.query<{ scheduled_pruning: boolean }>('select scheduled_pruning from accounts where id = $1', [ctx.account.id]);
  return { scheduled_pruning: rows[0]?.scheduled_pruning ?? false };
}

export async function setMaintenanceSettings({ ctx, input }: { ctx: Ctx; input: { scheduled_pruning: boolean } }) {
  await ctx.db.query('update accounts set scheduled_pruning = $2 where id = $1', [ctx.account.id, input.scheduled_pruning]);
  return getMaintenanceSettings({ ctx });
}

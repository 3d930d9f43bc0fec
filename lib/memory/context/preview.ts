import type { Ctx } from '@/lib/core/context';
import type { ContextInput } from '@/lib/schemas/conversation';
import { buildContext, quoted } from './build-context';

/**
 * The dashboard's view of POST /v1/context: the same block, plus the text of each memory the budget left out (the
 * public answer names them by id only), so the Playground can show what was kept and what was dropped.
 */
export async function previewContext({ ctx, input }: { ctx: Ctx; input: ContextInput }) {
  const block = await buildContext({ ctx, input });
  const ids = block.omitted.map((line) => line.memoryId);
  const rows = ids.length
    ? await ctx.db.query<{ id: string; content: string }>('select id, content from memories where account_id = $1 and id = any($2::uuid[])', [ctx.account.id, ids])
    : [];
  const contentOf = new Map(rows.map((row) => [row.id, row.content]));
  return { ...block, omitted: block.omitted.map((line) => ({ ...line, text: `- ${quoted(contentOf.get(line.memoryId) ?? '')}` })) };
}

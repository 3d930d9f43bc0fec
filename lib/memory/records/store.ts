import type { Ctx } from '@/lib/core/context';
import { resolveAgent } from '@/lib/core/access';
import { embedOrFail } from '@/lib/embeddings/embed-or-fail';
import { ApiError } from '@/lib/errors';
import type { StoreMemoryInput } from '@/lib/schemas/memory';
import { insertMemories } from './insert';
import type { MemoryRow } from './row';

/** Embeds and stores one memory for one end user; the row is written whole or not at all. */
export async function storeMemory({ ctx, input }: { ctx: Ctx; input: StoreMemoryInput }): Promise<MemoryRow> {
  const maxChars = ctx.env.MAX_MEMORY_CHARS;
  if (input.content.length > maxChars) {
    throw new ApiError('payload_too_large', `content exceeds the maximum of ${maxChars} characters`);
  }
  const [embedding] = await embedOrFail(ctx, [input.content]);
  const [row] = await ctx.db.transaction((tx) =>
    insertMemories(tx, ctx, [
      { endUserId: input.external_user_id, agentId: resolveAgent(ctx, undefined) ?? null, content: input.content, metadata: input.metadata, source: 'api', embedding: embedding! },
    ]),
  );
  return row!;
}

import type { Ctx } from '@/lib/api/context';
import type { StoreMemoryInput } from '@/lib/api/schemas/memory';
import { queryOne, toVectorLiteral } from '@/lib/db';
import { resolveAgent } from '@/lib/api/scopes';
import { reserveMemories } from '@/lib/billing/quotas';
import { ApiError } from '@/lib/errors';
import { embedOrFail } from './embed';
import { DEFAULT_BASE_IMPORTANCE } from './importance';
import { MEMORY_COLUMNS, toMemoryView, type MemoryRow } from './memory-view';

export interface StoreOptions {
  source?: string;
  conversationId?: string | null;
  agentId?: string | null;
}

/** Embeds and stores one memory for one end user; the row is written whole or not at all. */
export async function storeMemory({ ctx, input, options = {} }: { ctx: Ctx; input: StoreMemoryInput; options?: StoreOptions }) {
  const maxChars = ctx.env.MAX_MEMORY_CHARS;
  if (input.content.length > maxChars) {
    throw new ApiError('payload_too_large', `content exceeds the maximum of ${maxChars} characters`);
  }
  const [embedding] = await embedOrFail(ctx, [input.content]);
  const now = ctx.now();
  const row = await ctx.db.transaction(async (tx) => {
    await reserveMemories(tx, ctx, 1);
    return queryOne<MemoryRow>(
      tx,
      `insert into memories (account_id, end_user_id, agent_id, conversation_id, content, metadata, importance, base_importance,
                             embedding, source, valid_from, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6::jsonb, $7, $7, $8::vector, $9, $10, $10, $10)
       returning ${MEMORY_COLUMNS}`,
      [
        ctx.account.id,
        input.external_user_id,
        resolveAgent(ctx, options.agentId ?? undefined) ?? null,
        options.conversationId ?? null,
        input.content,
        JSON.stringify(input.metadata),
        DEFAULT_BASE_IMPORTANCE,
        toVectorLiteral(embedding!),
        options.source ?? 'api',
        now,
      ],
    );
  });
  return { status: 'success' as const, memory: toMemoryView(row!) };
}

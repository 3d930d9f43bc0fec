import type { Ctx } from '@/lib/core/context';
import { resolveAgent } from '@/lib/core/access';
import { parseVectorLiteral, queryOne, type Db } from '@/lib/db';
import { embedOrFail } from '@/lib/embeddings/embed-or-fail';
import { ApiError } from '@/lib/errors';
import { categorize } from '@/lib/memory/ingest/extraction/rules';
import { blendWithPrevious } from '@/lib/memory/search/context-vector';
import { hasStorageRoom, storageExceeded } from '@/lib/metering/quotas';
import type { StoreMemoryInput } from '@/lib/schemas/memory';
import { lockAccount } from './account-lock';
import { insertMemories } from './insert';
import type { MemoryRow } from './row';

/** How much of the memories around it a stored memory keeps as searchable context. */
const CONTEXT_CHARS = 2_000;

/** The session a memory belongs to: `conversation_id`, else the reference's `metadata.session_id`. */
function sessionOf(input: StoreMemoryInput): string | null {
  const fromMetadata = input.metadata.session_id;
  if (input.conversation_id) return input.conversation_id;
  if (typeof fromMetadata === 'string' && fromMetadata.trim()) return fromMetadata.trim().slice(0, 255);
  if (typeof fromMetadata === 'number' && Number.isFinite(fromMetadata)) return String(fromMetadata);
  return null;
}

/** The memory said just before, in the same session of the same end user (and agent). */
async function previousInSession(tx: Db, ctx: Ctx, scope: { endUserId: string; agentId: string | null; session: string; before: Date }) {
  return queryOne<{ id: string; content: string; embedding: string }>(
    tx,
    `select m.id, m.content, m.embedding::text as embedding from memories m
     where m.account_id = $1 and m.end_user_id = $2 and m.agent_id is not distinct from $3 and m.conversation_id = $4
       and m.created_at <= $5 and m.archived_at is null and m.embedding is not null
     order by m.created_at desc, m.stored_seq desc nulls last, m.id desc limit 1`,
    [ctx.account.id, scope.endUserId, scope.agentId, scope.session, scope.before],
  );
}

/**
 * Embeds and stores one memory for one end user; the row is written whole or not at all. Its base importance comes
 * from what it says (categorize); a memory of a session is ranked, as an ingested turn is, with the one before it
 * (context vector; the texts before and after it as its context, as ingest keeps) and shares the session's
 * conversation boost.
 */
export async function storeMemory({ ctx, input }: { ctx: Ctx; input: StoreMemoryInput }): Promise<MemoryRow> {
  const maxChars = ctx.env.MAX_MEMORY_CHARS;
  if (input.content.length > maxChars) {
    throw new ApiError('payload_too_large', `content exceeds the maximum of ${maxChars} characters`);
  }
  // Without room, refused before the embedding is spent; insertMemories' locked check has the last word.
  const room = await hasStorageRoom(ctx.db, ctx, { memories: [{ content: input.content, metadata: input.metadata }] });
  if (!room.fits) throw storageExceeded(ctx.now(), room);
  const [embedding] = await embedOrFail(ctx, [input.content]);
  const agentId = resolveAgent(ctx, undefined) ?? null;
  const session = sessionOf(input);
  const saidAt = input.timestamp ? new Date(input.timestamp) : ctx.now();
  const category = categorize(input.content);
  const [row] = await ctx.db.transaction(async (tx) => {
    await lockAccount(tx, ctx.account.id);
    const previous = session ? await previousInSession(tx, ctx, { endUserId: input.external_user_id, agentId, session, before: saidAt }) : undefined;
    // As an ingested turn keeps the turns before and after it: the memory before this one gains this one's text.
    if (previous) {
      await tx.query('update memories set context = left(concat_ws(chr(10), context, $3::text), $4) where id = $1 and account_id = $2', [previous.id, ctx.account.id, input.content, CONTEXT_CHARS]);
    }
    return insertMemories(tx, ctx, [
      {
        endUserId: input.external_user_id,
        agentId,
        conversationId: session,
        content: input.content,
        context: previous?.content.slice(0, CONTEXT_CHARS) ?? null,
        metadata: input.metadata,
        category,
        source: 'api',
        createdAt: saidAt,
        embedding: embedding!,
        contextEmbedding: previous ? blendWithPrevious(embedding!, parseVectorLiteral(previous.embedding)) : null,
      },
    ]);
  });
  return row!;
}

import type { Ctx } from '@/lib/core/context';
import { defer, withRetry } from '@/lib/core/after-response';
import { agentScopeOf } from '@/lib/core/access';
import type { ChatInput, ChatResponseT } from '@/lib/schemas/chat';
import { queryOne } from '@/lib/db';
import type { LlmMessage, LlmRequest, LlmResult } from '@/lib/llm';
import { buildSystemPrompt, isTrivialMessage } from './prompt';
import { embedOrFail } from '@/lib/embeddings/embed-or-fail';
import { categorize } from '@/lib/memory/ingest/extraction/rules';
import { insertMemories } from '@/lib/memory/records/insert';
import { hybridSearch, type RankedMemory } from '@/lib/memory/search/hybrid';
import { recordUse } from '@/lib/memory/records/access';
import { roundScore } from '@/lib/memory/records/views';
import { describeError, log } from '@/lib/log';
import { hasStorageRoom } from '@/lib/metering/quotas';

/** Chat retrieves as POST /v1/search does (hybridSearch); a memory with no shared keyword needs at least this cosine similarity. */
export const CHAT_SIMILARITY_THRESHOLD = 0.25;
export const HISTORY_TURNS = 10;

export interface Prepared {
  input: ChatInput;
  embedding: number[];
  used: RankedMemory[];
  system: string;
  messages: LlmMessage[];
  storeMessage: boolean;
  category: string;
  /** The caller's sampling settings (the OpenAI-compatible endpoint's temperature and max tokens). */
  sampling?: Pick<LlmRequest, 'temperature' | 'maxOutputTokens'>;
}

/**
 * The conversation's last user and assistant turns; an agent-scoped key reads only the turns of its own agent. Stored
 * `system` and `tool` messages (ingest accepts them from the caller's data) are never replayed: they would speak to
 * the model with authority the stored text never had.
 */
async function loadHistory(ctx: Ctx, input: ChatInput): Promise<LlmMessage[]> {
  if (input.history) return input.history;
  if (!input.conversation_id) return [];
  const rows = await ctx.db.query<{ role: 'user' | 'assistant'; content: string }>(
    `select role, content from (
       select role, content, created_at, id from chat_messages
       where account_id = $1 and end_user_id = $2 and conversation_id = $3 and ($5::text is null or agent_id = $5)
         and role in ('user', 'assistant')
       order by created_at desc, id desc limit $4) t
     order by created_at asc, id asc`,
    [ctx.account.id, input.external_user_id, input.conversation_id, HISTORY_TURNS, agentScopeOf(ctx.caller) ?? null],
  );
  return rows.map((row) => ({ role: row.role, content: row.content }));
}

/**
 * Embed → this end user's top_k memories → system prompt with them quoted → history + message. The history is the
 * request's own (`input.history`: useChat, the OpenAI-compatible endpoint) or else the stored conversation's last turns.
 */
export async function prepareChat(ctx: Ctx, input: ChatInput): Promise<Prepared> {
  const [embedding] = await embedOrFail(ctx, [input.message]);
  const [used, history, duplicate] = await Promise.all([
    hybridSearch(ctx, {
      endUserId: input.external_user_id,
      text: input.message,
      embedding: embedding!,
      limit: input.top_k,
      agentId: agentScopeOf(ctx.caller),
      similarityThreshold: CHAT_SIMILARITY_THRESHOLD,
    }),
    loadHistory(ctx, input),
    queryOne(
      ctx.db,
      'select 1 from memories where account_id = $1 and end_user_id = $2 and agent_id is not distinct from $4 and content = $3 and archived_at is null limit 1',
      [ctx.account.id, input.external_user_id, input.message, agentScopeOf(ctx.caller) ?? null],
    ),
  ]);
  const system = buildSystemPrompt(used.map((memory) => ({ content: memory.content, score: memory.similarity })));
  return {
    input,
    embedding: embedding!,
    used,
    system,
    messages: [...history, { role: 'user', content: input.message }],
    // Whether the plan has room is decided once, by the locked check of the write itself (insertMemories 'if-room').
    storeMessage: !isTrivialMessage(input.message) && !duplicate,
    category: categorize(input.message),
  };
}

/**
 * After the reply, before the answer says so: store the message as a memory and append the thread (tokens were
 * metered by ctx.llm). Returns whether the memory row was written, which is what `memory_created` reports: the locked
 * quota re-check may refuse it, and a write that fails its retries is logged and reported as not created. Only the
 * access counts of the memories used wait until after the response.
 */
export async function persistTurn(ctx: Ctx, prepared: Prepared, reply: string | null): Promise<boolean> {
  const { input } = prepared;
  const agentId = agentScopeOf(ctx.caller) ?? null;
  let created = false;
  try {
    created = await withRetry(() =>
      ctx.db.transaction(async (tx) => {
        const now = ctx.now();
        // Over the plan's storage the turn is not stored at all, neither memory nor thread (the reply still goes out).
        const turn = {
          memories: prepared.storeMessage ? [{ content: input.message, metadata: { source: 'chat' } }] : [],
          chatMessages: input.conversation_id ? [input.message, ...(reply === null ? [] : [reply])] : [],
        };
        if (!(await hasStorageRoom(tx, { ...ctx, db: tx }, turn, { lock: true })).fits) return false;
        // Over the plan's memory limit the message is simply not stored (the reply still goes out).
        const written = prepared.storeMessage
          ? await insertMemories(
              tx,
              ctx,
              [
                {
                  endUserId: input.external_user_id,
                  agentId,
                  conversationId: input.conversation_id ?? null,
                  content: input.message,
                  metadata: { source: 'chat' },
                  category: prepared.category,
                  source: 'chat',
                  embedding: prepared.embedding,
                  createdAt: now,
                },
              ],
              'if-room',
            )
          : [];
        if (input.conversation_id) {
          await tx.query(
            `insert into chat_messages (account_id, end_user_id, agent_id, conversation_id, role, content, created_at)
             select $1, $2, $7, $3, m.role, m.content, $4::timestamptz + (m.ord * interval '1 millisecond')
             from (values ('user', $5::text, 0), ('assistant', $6::text, 1)) as m(role, content, ord)
             where m.content is not null`,
            [ctx.account.id, input.external_user_id, input.conversation_id, now, input.message, reply, agentId],
          );
        }
        return written.some((row) => row !== null);
      }),
    );
  } catch (error) {
    log.error('chat turn not stored', describeError(error));
  }
  const usedIds = prepared.used.map((memory) => memory.id);
  if (usedIds.length > 0) defer(() => withRetry(() => recordUse(ctx, usedIds)));
  return created;
}

export const usedMemoriesView = (prepared: Prepared) =>
  prepared.used.map((memory) => ({ id: memory.id, memory_text: memory.content, score: roundScore(memory.similarity) }));

export function shapeReply(ctx: Ctx, prepared: Prepared, result: LlmResult, memoryCreated: boolean): ChatResponseT {
  return {
    reply: result.text,
    used_memories: usedMemoriesView(prepared),
    memory_created: memoryCreated,
    conversation_id: prepared.input.conversation_id ?? null,
    mode: ctx.llm.mode,
    model: ctx.llm.model,
    usage: { prompt_tokens: result.usage.promptTokens, completion_tokens: result.usage.completionTokens },
  };
}

/** The model's reply to a prepared turn, stored before it is returned. */
export async function replyTo(ctx: Ctx, prepared: Prepared, signal?: AbortSignal): Promise<ChatResponseT> {
  let result: LlmResult;
  try {
    result = await ctx.llm.generate({ system: prepared.system, messages: prepared.messages, memories: prepared.used.map((m) => m.content), abortSignal: signal, ...prepared.sampling });
  } catch (error) {
    // The user's message is kept even when the model fails.
    await persistTurn(ctx, prepared, null);
    throw error;
  }
  const memoryCreated = await persistTurn(ctx, prepared, result.text);
  return shapeReply(ctx, prepared, result, memoryCreated);
}

export async function chat({ ctx, input, signal }: { ctx: Ctx; input: ChatInput; signal?: AbortSignal }) {
  return replyTo(ctx, await prepareChat(ctx, input), signal);
}

export async function chatLegacy({ ctx, input, signal }: { ctx: Ctx; input: ChatInput; signal?: AbortSignal }) {
  const answer = await chat({ ctx, input, signal });
  return {
    reply: answer.reply,
    memory_ids: answer.used_memories.map((memory) => memory.id),
    mode: answer.mode === 'offline' ? 'offline' : 'process',
    memories_used: answer.used_memories.map((memory) => ({ id: memory.id, content: memory.memory_text, similarity: memory.score })),
  };
}

/** /v1/chat/legacy without external_user_id pools the account's memories under this end user id. */
export const LEGACY_DEFAULT_END_USER = 'default';

import { randomUUID } from 'node:crypto';
import type { Ctx } from '@/lib/core/context';
import type { IngestInput } from '@/lib/schemas/conversation';
import { resolveAgent } from '@/lib/core/access';
import { queryOne, toVectorLiteral, type Db } from '@/lib/db';
import { embedOrFail } from '@/lib/embeddings/embed-or-fail';
import type { ExtractedFact } from './extraction';
import { writeGraph } from '@/lib/memory/records/graph';
import { insertMemories } from '@/lib/memory/records/insert';
import { ACTIVE } from '@/lib/memory/records/row';
import { blendWithPrevious } from '@/lib/memory/search/context-vector';
import { rankingSqlArgs } from '@/lib/memory/search/ranking';

/** Cosine similarity at or above which a new fact is the same memory said again. */
export const DUPLICATE_SIMILARITY = 0.95;
const EXISTING_FOR_DECISIONS = 20;

interface Scope {
  accountId: string;
  endUserId: string;
  agentId: string | null;
}

interface Superseded {
  id: string;
  reason: string;
}

interface StoredFact {
  id: string;
  content: string;
  category: string;
  status: 'created' | 'duplicate';
  supersedes: string[];
  /** Index into the request's messages of the message this fact came from. */
  sourceMessageIndex: number;
  /** Why it was written this way: created, merged into an existing memory, or replacing older ones. */
  reason: string;
  superseded: Superseded[];
  similarity: number | null;
}

interface Duplicate {
  id: string;
  /** Cosine similarity to the existing memory (1 for the same text); null when the extraction model decided. */
  similarity: number | null;
  reason: string;
}

async function storeMessages(db: Db, scope: Scope, conversationId: string, messages: IngestInput['messages'], saidAt: Date): Promise<string[]> {
  const ids: string[] = [];
  for (const [index, message] of messages.entries()) {
    const rows = await db.query<{ id: string }>(
      `insert into chat_messages (account_id, end_user_id, agent_id, conversation_id, role, content, created_at)
       values ($1, $2, $3, $4, $5, $6, $7::timestamptz + ($8 * interval '1 millisecond')) returning id`,
      [scope.accountId, scope.endUserId, scope.agentId, conversationId, message.role, message.content, saidAt, index],
    );
    ids.push(rows[0]!.id);
  }
  return ids;
}

/** The active memory of this end user and agent that already says this fact, if any, and why it counts as the same. */
async function findDuplicate(db: Db, scope: Scope, fact: ExtractedFact, embedding: number[]): Promise<Duplicate | undefined> {
  if (fact.duplicateOf) return { id: fact.duplicateOf, similarity: null, reason: 'the extraction model found an existing memory that says the same' };
  const exact = await queryOne<{ id: string }>(
    db,
    `select m.id from memories m where m.account_id = $1 and m.end_user_id = $2 and m.agent_id is not distinct from $4 and ${ACTIVE}
       and lower(regexp_replace(m.content, '\\s+', ' ', 'g')) = lower(regexp_replace($3, '\\s+', ' ', 'g')) limit 1`,
    [scope.accountId, scope.endUserId, fact.content, scope.agentId],
  );
  if (exact) return { id: exact.id, similarity: 1, reason: 'the same text is already remembered' };
  const near = await queryOne<{ id: string; similarity: number }>(
    db,
    `select r.id, r.similarity from match_memories(p_account_id => $1, p_end_user_id => $2, p_query_embedding => $3::vector,
                                                   p_match_threshold => $4, p_match_count => 5, p_agent_id => $5) r
     join memories m on m.id = r.id where m.agent_id is not distinct from $5
     order by r.similarity desc limit 1`,
    [scope.accountId, scope.endUserId, toVectorLiteral(embedding), DUPLICATE_SIMILARITY, scope.agentId],
  );
  if (!near) return undefined;
  const similarity = Math.round(Number(near.similarity) * 10_000) / 10_000;
  return { id: near.id, similarity, reason: `says the same as an existing memory (cosine ${similarity} ≥ ${DUPLICATE_SIMILARITY})` };
}

/**
 * Marks older memories as replaced by `memoryId`: they keep their history and leave default search and context.
 * "Older" is by date (valid_from), so importing an old conversation (a past `timestamp`) never hides a newer fact:
 * the imported fact itself becomes history of the newer one instead.
 */
async function supersede(db: Db, scope: Scope, memoryId: string, fact: ExtractedFact, saidAt: Date, speaker: string | null): Promise<Superseded[]> {
  // A slot belongs to whoever said it: in a conversation between named speakers, one person's new job does not
  // replace another's (speaker null, the usual user/assistant chat, matches speaker null).
  const rows = await db.query<{ id: string; superseded_reason: string }>(
    `update memories set superseded_by = $3, valid_to = $4, updated_at = $4,
            superseded_reason = case when id = any($5::uuid[]) then 'the extraction model decided a newer fact updates it'
                                     else 'a newer statement set ' || $7 end
     where account_id = $1 and end_user_id = $2 and id <> $3 and superseded_by is null and archived_at is null
       and ($6::text is null or agent_id = $6) and valid_from <= $4
       and (id = any($5::uuid[]) or ($7::text is not null and slot = $7 and speaker is not distinct from $8))
     returning id, superseded_reason`,
    [scope.accountId, scope.endUserId, memoryId, saidAt, fact.supersedes, scope.agentId, fact.slot, speaker],
  );
  if (fact.slot) {
    // Said before a current fact of the same slot: history of that fact from the start.
    await db.query(
      `update memories m set superseded_by = newer.id, valid_to = newer.valid_from,
              superseded_reason = 'said before the current statement of ' || $6
       from (select id, valid_from from memories
             where account_id = $1 and end_user_id = $2 and id <> $3 and superseded_by is null and archived_at is null
               and ($5::text is null or agent_id = $5) and valid_from > $4 and slot = $6 and speaker is not distinct from $7
             order by valid_from limit 1) newer
       where m.id = $3 and m.account_id = $1`,
      [scope.accountId, scope.endUserId, memoryId, saidAt, scope.agentId, fact.slot, speaker],
    );
  }
  return rows.map((row) => ({ id: row.id, reason: row.superseded_reason }));
}

async function storeFact(
  ctx: Ctx,
  db: Db,
  scope: Scope,
  fact: ExtractedFact,
  embedding: number[],
  context: { conversationId: string; sourceMessageId: string; metadata: Record<string, unknown>; saidAt: Date; speaker: string | null; contextEmbedding: number[] | null },
): Promise<{ fact: StoredFact; entities: number; edges: number }> {
  const duplicate = await findDuplicate(db, scope, fact, embedding);
  if (duplicate) {
    const row = await queryOne<{ id: string; content: string; category: string | null }>(
      db,
      `update memories set updated_at = $3, source_message_ids = array_append(source_message_ids, $4)
       where id = $1 and account_id = $2 returning id, content, category`,
      [duplicate.id, scope.accountId, context.saidAt, context.sourceMessageId],
    );
    if (row) {
      const merged: StoredFact = {
        id: row.id,
        content: row.content,
        category: row.category ?? 'general',
        status: 'duplicate',
        supersedes: [],
        sourceMessageIndex: fact.sourceIndex,
        reason: duplicate.reason,
        superseded: [],
        similarity: duplicate.similarity,
      };
      return { fact: merged, entities: 0, edges: 0 };
    }
  }
  // Over the plan's memory limit the whole ingest is refused (the transaction rolls back) and nothing is written.
  const [inserted] = await insertMemories(db, ctx, [
    {
      endUserId: scope.endUserId,
      agentId: scope.agentId,
      conversationId: context.conversationId,
      content: fact.content,
      context: fact.context,
      metadata: context.metadata,
      category: fact.category,
      slot: fact.slot,
      speaker: context.speaker,
      source: 'ingest',
      sourceMessageIds: [context.sourceMessageId],
      createdAt: context.saidAt,
      embedding,
      contextEmbedding: context.contextEmbedding,
    },
  ]);
  const id = inserted!.id;
  const superseded = await supersede(db, scope, id, fact, context.saidAt, context.speaker);
  const graph = await writeGraph(db, scope, id, fact.entities, fact.relations);
  const reason = superseded.length
    ? `a new fact that replaces ${superseded.length === 1 ? 'an older memory' : `${superseded.length} older memories`}${fact.slot ? ` (${fact.slot})` : ''}`
    : `a new fact (${fact.category})`;
  const stored: StoredFact = {
    id,
    content: fact.content,
    category: fact.category,
    status: 'created',
    supersedes: superseded.map((entry) => entry.id),
    sourceMessageIndex: fact.sourceIndex,
    reason,
    superseded,
    similarity: null,
  };
  return { fact: stored, ...graph };
}

/**
 * The vector that ranks each fact in hybrid search (blendWithPrevious): with the fact from the message before (at most
 * two messages back, so a user turn reaches over one assistant turn). Null when there is no such fact.
 */
export function contextVectors(facts: Pick<ExtractedFact, 'sourceIndex'>[], embeddings: number[][]): (number[] | null)[] {
  // Message index → the last fact taken from it.
  const factOfMessage = new Map(facts.map((fact, i) => [fact.sourceIndex, i]));
  return facts.map((fact, i) => {
    const previous = factOfMessage.get(fact.sourceIndex - 1) ?? factOfMessage.get(fact.sourceIndex - 2);
    if (previous === undefined) return null;
    return blendWithPrevious(embeddings[i]!, embeddings[previous]!);
  });
}

/**
 * POST /v1/ingest: conversation → atomic facts (LLM or offline rules) → memories with provenance, entities and
 * edges. Duplicates are merged; a fact that updates an older one supersedes it (history kept).
 */
export async function ingestConversation({ ctx, input }: { ctx: Ctx; input: IngestInput }) {
  const started = performance.now();
  const scope: Scope = { accountId: ctx.account.id, endUserId: input.userId, agentId: resolveAgent(ctx, input.agentId) ?? null };
  const conversationId = input.conversationId ?? randomUUID();
  const userText = input.messages.filter((m) => m.role === 'user').map((m) => m.content).join('\n').slice(0, 8_000) || input.messages.at(-1)!.content.slice(0, 8_000);
  const [queryEmbedding] = await embedOrFail(ctx, [userText]);
  const ranking = rankingSqlArgs(7);
  const existing = await ctx.db.query<{ id: string; content: string; category: string | null }>(
    `select h.id, h.content, m.category
     from hybrid_match_memories(p_account_id => $1, p_end_user_id => $2, p_query_text => $3, p_query_embedding => $4::vector,
                                p_match_count => $5, p_agent_id => $6, ${ranking.sql}) h
     join memories m on m.id = h.id`,
    [scope.accountId, scope.endUserId, userText, toVectorLiteral(queryEmbedding!), EXISTING_FOR_DECISIONS, scope.agentId, ...ranking.params],
  );
  // ctx.llm is metered: extraction tokens are counted as soon as the model answers, even if the writes below fail.
  const { facts } = await ctx.extractor.extract({ userId: input.userId, messages: input.messages, existing }, ctx.llm);
  const embeddings = await embedOrFail(ctx, facts.map((fact) => fact.content));
  const contextEmbeddings = contextVectors(facts, embeddings);

  const result = await ctx.db.transaction(async (tx) => {
    // One ingest per end user at a time, so two racing updates cannot both stay current.
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`${scope.accountId}:${scope.endUserId}`]);
    // A conversation imported from the past is dated when it happened (search ranks by the dates a query names).
    const saidAt = input.timestamp ? new Date(input.timestamp) : ctx.now();
    const messageIds = await storeMessages(tx, scope, conversationId, input.messages, saidAt);
    const stored: StoredFact[] = [];
    let entities = 0;
    let edges = 0;
    for (const [i, fact] of facts.entries()) {
      const outcome = await storeFact(ctx, tx, scope, fact, embeddings[i]!, { conversationId, sourceMessageId: messageIds[fact.sourceIndex]!, metadata: input.metadata, saidAt, speaker: input.messages[fact.sourceIndex]?.name ?? null, contextEmbedding: contextEmbeddings[i]! });
      stored.push(outcome.fact);
      entities += outcome.entities;
      edges += outcome.edges;
    }
    return { stored, entities, edges };
  });

  const created = result.stored.filter((fact) => fact.status === 'created');
  return {
    ...summarize(result, created),
    processingMs: Math.round(performance.now() - started),
    conversationId,
    extraction: ctx.extractor.kind,
    memories: result.stored.map(({ id, content, category, status, supersedes, sourceMessageIndex }) => ({ id, content, category, status, supersedes, sourceMessageIndex })),
    decisions: explainDecisions(input.messages, result.stored, ctx.extractor.kind),
  };
}

function summarize(result: { stored: StoredFact[]; entities: number; edges: number }, created: StoredFact[]) {
  return {
    memoriesCreated: created.length,
    entitiesExtracted: result.entities,
    edgesCreated: result.edges,
    memoriesSuperseded: created.reduce((sum, fact) => sum + fact.supersedes.length, 0),
    duplicatesMerged: result.stored.length - created.length,
  };
}

/**
 * What happened to each message and why: every fact written from it (created, merged into an existing memory,
 * replacing older ones), or why nothing was kept.
 */
interface WriteDecision {
  messageIndex: number;
  action: 'created' | 'merged' | 'skipped';
  memoryId: string | null;
  reason: string;
  similarity: number | null;
  superseded: Superseded[];
}

function explainDecisions(messages: IngestInput['messages'], stored: StoredFact[], extraction: 'llm' | 'offline'): WriteDecision[] {
  return messages.flatMap((message, index): WriteDecision[] => {
    const facts = stored.filter((fact) => fact.sourceMessageIndex === index);
    if (facts.length === 0) {
      const reason =
        extraction === 'llm'
          ? 'the extraction model found nothing worth remembering'
          : message.role !== 'user'
            ? 'only the user’s own messages become memories (offline extraction)'
            : 'small talk, an acknowledgement or a lone question: nothing to remember';
      return [{ messageIndex: index, action: 'skipped', memoryId: null, reason, similarity: null, superseded: [] }];
    }
    return facts.map((fact) => ({
      messageIndex: index,
      action: fact.status === 'created' ? 'created' : 'merged',
      memoryId: fact.id,
      reason: fact.reason,
      similarity: fact.similarity,
      superseded: fact.superseded,
    }));
  });
}

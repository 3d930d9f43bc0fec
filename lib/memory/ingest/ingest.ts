import { randomUUID } from 'node:crypto';
import type { Ctx } from '@/lib/core/context';
import type { IngestInput } from '@/lib/schemas/conversation';
import { resolveAgent } from '@/lib/core/access';
import { toVectorLiteral, type Db } from '@/lib/db';
import { embedOrFail } from '@/lib/embeddings/embed-or-fail';
import type { ExtractedFact } from './extraction';
import { writeGraphs } from '@/lib/memory/records/graph';
import { insertMemories } from '@/lib/memory/records/insert';
import { ACTIVE } from '@/lib/memory/records/row';
import { blendWithPrevious } from '@/lib/memory/search/context-vector';
import { rankingSqlArgs } from '@/lib/memory/search/ranking';
import { hasStorageRoom, reserveStorage, storageExceeded } from '@/lib/metering/quotas';
import { DUPLICATE_SIMILARITY, planWrites, type ExistingRow, type FactDecision, type NearCandidate, type PlannedFact, type Superseded, type Supersession, type WritePlan } from './write-plan';

export { DUPLICATE_SIMILARITY } from './write-plan';
const EXISTING_FOR_DECISIONS = 20;
/** Near-duplicate candidates read per fact, as the one-fact-at-a-time check read them. */
const NEAR_CANDIDATES = 5;

interface Scope {
  accountId: string;
  endUserId: string;
  agentId: string | null;
}

type StoredFact = FactDecision;

/** The conversation's turns, in one statement; their ids are chosen here so each fact can name its source. */
async function storeMessages(db: Db, scope: Scope, conversationId: string, messages: IngestInput['messages'], saidAt: Date): Promise<string[]> {
  const ids = messages.map(() => randomUUID());
  await db.query(
    `insert into chat_messages (id, account_id, end_user_id, agent_id, conversation_id, role, content, created_at)
     select u.id, $1, $2, $3, $4, u.role, u.content, $5::timestamptz + ((u.position - 1) * interval '1 millisecond')
     from unnest($6::uuid[], $7::text[], $8::text[]) with ordinality as u(id, role, content, position)`,
    [scope.accountId, scope.endUserId, scope.agentId, conversationId, saidAt, ids, messages.map((m) => m.role), messages.map((m) => m.content)],
  );
  return ids;
}

/**
 * Per fact, the active memories of this end user and agent close enough to be the same fact said again. Read before
 * the write transaction, one statement per fact, so other requests' statements run between them; the candidates are
 * re-read with the lock held (a memory superseded or archived meanwhile is no longer one). A near duplicate another
 * request writes in between is not seen: the fact is stored beside it (exact repeats are still found under the lock).
 */
async function findNearCandidates(db: Db, scope: Scope, embeddings: number[][]): Promise<NearCandidate[][]> {
  const candidates: NearCandidate[][] = [];
  // Read for a fact the extraction model calls a repeat too: the memory it named may be history by the time of the lock.
  for (const embedding of embeddings) {
    const rows = await db.query<{ id: string; similarity: number }>(
      `select r.id, r.similarity from match_memories(p_account_id => $1, p_end_user_id => $2, p_query_embedding => $3::vector,
                                                     p_match_threshold => $4, p_match_count => $6, p_agent_id => $5) r
       join memories m on m.id = r.id where m.agent_id is not distinct from $5
       order by r.similarity desc`,
      [scope.accountId, scope.endUserId, toVectorLiteral(embedding), DUPLICATE_SIMILARITY, scope.agentId, NEAR_CANDIDATES],
    );
    candidates.push(rows.map((row) => ({ id: row.id, similarity: Number(row.similarity) })));
  }
  return candidates;
}

const EXISTING_ROW_COLUMNS = `m.id, m.end_user_id, m.agent_id, m.content, m.category, m.slot, m.speaker,
  (extract(epoch from m.valid_from) * 1000)::float8 as valid_from_ms, (m.archived_at is null and m.superseded_by is null) as active`;

interface ExistingRowSql {
  id: string;
  end_user_id: string;
  agent_id: string | null;
  content: string;
  category: string | null;
  slot: string | null;
  speaker: string | null;
  valid_from_ms: number;
  active: boolean;
}

const toExistingRow = (row: ExistingRowSql): ExistingRow => ({
  id: row.id,
  endUserId: row.end_user_id,
  agentId: row.agent_id,
  content: row.content,
  category: row.category,
  slot: row.slot,
  speaker: row.speaker,
  validFromMs: Number(row.valid_from_ms),
  active: row.active,
});

/** The white space Postgres's `\s` matches (C locale): a fact and a memory are the same text up to runs of it and case. */
const SPACE_RUN = /[ \t\n\r\f\v]+/g;
const normalizeForDuplicates = (text: string) => text.replace(SPACE_RUN, ' ').toLowerCase();
const SPACES = ' \t\n\r\f\v';

/**
 * With the lock held, in one statement: per fact, the active memories of this end user and agent with the same text
 * up to white space and case. SQL finds candidates by a linear key (lower case, white space removed: translate(), no
 * regular expression, since Postgres's regex engine took ~1 s over 31 messages of 31,500 characters) for each
 * distinct fact text; the exact rule (runs of white space as one space) is applied here.
 */
async function findExactCandidates(db: Db, scope: Scope, facts: ExtractedFact[]): Promise<{ normalized: string[]; exact: ExistingRow[][] }> {
  const normalized = facts.map((fact) => normalizeForDuplicates(fact.content));
  const rows = await db.query<ExistingRowSql & { key: string }>(
    `with fact as (select distinct translate(lower(u.content), $6, '') as key from unnest($3::text[]) as u(content)),
     same as (
       select f.key, ${EXISTING_ROW_COLUMNS}, row_number() over (partition by f.key order by m.created_at, m.id) as rank
       from fact f
       join memories m on m.account_id = $1 and m.end_user_id = $2 and m.agent_id is not distinct from $4 and ${ACTIVE}
                      and translate(lower(m.content), $6, '') = f.key
     )
     select * from same where rank <= $5 order by key, rank`,
    [scope.accountId, scope.endUserId, [...new Set(facts.map((fact) => fact.content))], scope.agentId, NEAR_CANDIDATES, SPACES],
  );
  const exact = normalized.map((text) => rows.filter((row) => normalizeForDuplicates(row.content) === text).map(toExistingRow));
  return { normalized, exact };
}

/**
 * With the lock held, in one statement: the rows the decisions may touch as they are now (near candidates, the
 * extraction model's supersedes and duplicateOf ids, within the account) and the active memories holding the facts' slots.
 */
async function readExistingRows(db: Db, scope: Scope, facts: ExtractedFact[], near: NearCandidate[][]): Promise<Map<string, ExistingRow>> {
  const ids = [...new Set([...near.flat().map((c) => c.id), ...facts.flatMap((f) => f.supersedes), ...facts.flatMap((f) => (f.duplicateOf ? [f.duplicateOf] : []))])];
  const slots = [...new Set(facts.flatMap((f) => (f.slot ? [f.slot] : [])))];
  if (ids.length === 0 && slots.length === 0) return new Map();
  const rows = await db.query<ExistingRowSql>(
    `select ${EXISTING_ROW_COLUMNS} from memories m
     where m.account_id = $1 and (m.id = any($3::uuid[]) or (m.end_user_id = $2 and m.slot = any($4::text[]) and ${ACTIVE}))`,
    [scope.accountId, scope.endUserId, ids, slots],
  );
  return new Map(rows.map((row) => [row.id, toExistingRow(row)]));
}

/** Appends the source messages of repeated facts to the memories that already said them (one statement). */
async function applyMerges(db: Db, scope: Scope, merges: WritePlan['merges'], saidAt: Date): Promise<void> {
  if (merges.size === 0) return;
  const pairs = [...merges].flatMap(([id, messageIds]) => messageIds.map((messageId) => [id, messageId] as const));
  await db.query(
    `update memories m set updated_at = $3, source_message_ids = m.source_message_ids || v.message_ids
     from (select u.id, array_agg(u.message_id order by u.position) as message_ids
           from unnest($1::uuid[], $2::text[]) with ordinality as u(id, message_id, position) group by u.id) v
     where m.id = v.id and m.account_id = $4`,
    [pairs.map(([id]) => id), pairs.map(([, messageId]) => messageId), saidAt, scope.accountId],
  );
}

/**
 * Marks older memories as replaced (they keep their history and leave default search and context), in one statement.
 * "Older" is by date (valid_from), so importing an old conversation (a past `timestamp`) never hides a newer fact:
 * the imported fact itself becomes history of the newer one instead.
 */
async function applySupersessions(db: Db, scope: Scope, supersessions: Supersession[], saidAt: Date): Promise<void> {
  if (supersessions.length === 0) return;
  await db.query(
    `update memories m set superseded_by = v.superseded_by, superseded_reason = v.reason,
            valid_to = case when v.by_newer then $5::timestamptz else newer.valid_from end,
            updated_at = case when v.by_newer then $5::timestamptz else m.updated_at end
     from unnest($1::uuid[], $2::uuid[], $3::text[], $4::boolean[]) as v(id, superseded_by, reason, by_newer)
     join memories newer on newer.id = v.superseded_by
     where m.id = v.id and m.account_id = $6`,
    [supersessions.map((s) => s.id), supersessions.map((s) => s.supersededBy), supersessions.map((s) => s.reason), supersessions.map((s) => String(s.byNewer)), saidAt, scope.accountId],
  );
}

/**
 * Writes what the plan decided in a fixed number of statements, whatever the number of facts: the new memories (the
 * plan's limits checked once for all), the merges, the supersessions, the entities and edges.
 */
async function applyPlan(
  ctx: Ctx,
  tx: Db,
  scope: Scope,
  plan: WritePlan,
  facts: PlannedFact[],
  context: { conversationId: string; metadata: Record<string, unknown>; saidAt: Date; contextEmbeddings: (number[] | null)[] },
): Promise<{ entities: number; edges: number }> {
  // Over the plan's memory limit the whole ingest is refused (the transaction rolls back) and nothing is written.
  await insertMemories(
    tx,
    ctx,
    plan.created.map(({ index, id, sourceMessageIds }) => {
      const { fact, embedding, speaker } = facts[index]!;
      return {
        id,
        endUserId: scope.endUserId,
        agentId: scope.agentId,
        conversationId: context.conversationId,
        content: fact.content,
        context: fact.context,
        metadata: context.metadata,
        category: fact.category,
        slot: fact.slot,
        speaker,
        source: 'ingest',
        sourceMessageIds,
        createdAt: context.saidAt,
        embedding,
        contextEmbedding: context.contextEmbeddings[index],
      };
    }),
  );
  await applyMerges(tx, scope, plan.merges, context.saidAt);
  await applySupersessions(tx, scope, plan.supersessions, context.saidAt);
  const graphs = await writeGraphs(
    tx,
    scope,
    plan.created.map(({ index, id }) => ({ memoryId: id, entities: facts[index]!.fact.entities, relations: facts[index]!.fact.relations })),
  );
  return graphs.reduce((sum, graph) => ({ entities: sum.entities + graph.entities, edges: sum.edges + graph.edges }), { entities: 0, edges: 0 });
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
  // An account already without room for the turns alone is refused before extraction and embedding spend anything;
  // the locked check in the write transaction below has the last word.
  const turns = { chatMessages: input.messages.map((message) => message.content) };
  const room = await hasStorageRoom(ctx.db, ctx, turns);
  if (!room.fits) throw storageExceeded(ctx.now(), room);
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

  // Read before the lock: other requests' statements run between these.
  const near = await findNearCandidates(ctx.db, scope, embeddings);

  // The write transaction issues a fixed number of statements whatever the number of messages (on embedded PGlite a
  // transaction holds the one database session for every tenant).
  const result = await ctx.db.transaction(async (tx) => {
    // One ingest per end user at a time, so two racing updates cannot both stay current.
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`${scope.accountId}:${scope.endUserId}`]);
    // A conversation imported from the past is dated when it happened (search ranks by the dates a query names).
    const saidAt = input.timestamp ? new Date(input.timestamp) : ctx.now();
    // The stored turns take the plan's storage as memories do: over it, the whole ingest is refused (429).
    await reserveStorage(tx, { ...ctx, db: tx }, turns);
    const messageIds = await storeMessages(tx, scope, conversationId, input.messages, saidAt);
    if (facts.length === 0) return { stored: [] as StoredFact[], entities: 0, edges: 0 };
    const { normalized, exact } = await findExactCandidates(tx, scope, facts);
    const rows = await readExistingRows(tx, scope, facts, near);
    const planned: PlannedFact[] = facts.map((fact, i) => ({
      fact,
      embedding: embeddings[i]!,
      normalized: normalized[i]!,
      speaker: input.messages[fact.sourceIndex]?.name ?? null,
      sourceMessageId: messageIds[fact.sourceIndex]!,
    }));
    const plan = planWrites({ scope, saidAtMs: saidAt.getTime(), facts: planned, exact, near, rows, newId: randomUUID });
    const graph = await applyPlan(ctx, tx, scope, plan, planned, { conversationId, metadata: input.metadata, saidAt, contextEmbeddings });
    return { stored: plan.decisions, ...graph };
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

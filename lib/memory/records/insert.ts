import { randomUUID } from 'node:crypto';
import type { Ctx } from '@/lib/core/context';
import { toVectorLiteral, type Db } from '@/lib/db';
import { hasMemoryRoom, hasStorageRoom, reserveMemories, storageExceeded } from '@/lib/metering/quotas';
import { baseImportanceOf } from './importance';
import { MEMORY_COLUMNS, type MemoryRow } from './row';

type Timestamp = Date | string;

/** A memory to write. Omitted fields take their defaults: a new id, the base importance of its category, dated now. */
export interface NewMemory {
  id?: string;
  endUserId: string;
  agentId?: string | null;
  conversationId?: string | null;
  content: string;
  context?: string | null;
  metadata?: Record<string, unknown>;
  category?: string | null;
  /** An exclusive attribute ("location:home"): a newer memory of the same slot supersedes this one. */
  slot?: string | null;
  /** Who said it, in a conversation between named speakers. */
  speaker?: string | null;
  importance?: number;
  baseImportance?: number;
  accessCount?: number;
  lastAccessedAt?: Timestamp | null;
  /** What wrote it: api, chat, ingest, import, summary. */
  source: string;
  sourceMessageIds?: string[];
  /** Summaries: the identity of the cluster they summarise. */
  clusterKey?: string | null;
  validFrom?: Timestamp;
  validTo?: Timestamp | null;
  archivedAt?: Timestamp | null;
  createdAt?: Timestamp;
  updatedAt?: Timestamp;
  embedding: number[];
  /** The vector hybrid search ranks it by (own embedding plus part of the turn before); null = its own. */
  contextEmbedding?: number[] | null;
}

/**
 * How the plan's memory and storage limits apply: `reserve` refuses the whole transaction with 429 when the new
 * active memories (or the bytes of all new rows) do not fit; `if-room` writes nothing (and returns []) instead;
 * `derived` is for memories made from others (summaries), which the plan does not charge.
 */
export type MemoryQuota = 'reserve' | 'if-room' | 'derived';

/**
 * The one writer of `memories`, inside the caller's transaction. The plan's limits (memories, storage) are checked
 * once for the batch with the account row locked, so racing writers are decided one at a time; the insert triggers
 * move the counters. A row whose id already exists is skipped (its slot in the result is null).
 */
export async function insertMemories(tx: Db, ctx: Pick<Ctx, 'account' | 'now'>, memories: NewMemory[], quota: MemoryQuota = 'reserve'): Promise<(MemoryRow | null)[]> {
  const active = memories.filter((memory) => !memory.archivedAt).length;
  if (active > 0 && quota === 'reserve') await reserveMemories(tx, { ...ctx, db: tx }, active);
  if (active > 0 && quota === 'if-room' && !(await hasMemoryRoom(tx, { ...ctx, db: tx }, active, { lock: true }))) return [];
  // Every row takes storage, archived and superseded ones too (the storage trigger counts it on insert).
  if (memories.length > 0 && quota !== 'derived') {
    const room = await hasStorageRoom(tx, { ...ctx, db: tx }, { memories }, { lock: true });
    if (!room.fits && quota === 'if-room') return [];
    if (!room.fits) throw storageExceeded(ctx.now(), room);
  }
  if (memories.length === 0) return [];
  // One statement for the whole batch (a row per memory as JSON): a long ingest or import holds the transaction for
  // one round trip, not one per memory. Ids are chosen here so each row of the result finds its memory.
  const ids = memories.map((memory) => memory.id ?? randomUUID());
  const records = memories.map((memory, i) => {
    const created = memory.createdAt ?? ctx.now();
    return {
      id: ids[i],
      end_user_id: memory.endUserId,
      agent_id: memory.agentId ?? null,
      conversation_id: memory.conversationId ?? null,
      content: memory.content,
      context: memory.context ?? null,
      metadata: memory.metadata ?? {},
      category: memory.category ?? null,
      slot: memory.slot ?? null,
      speaker: memory.speaker ?? null,
      importance: memory.importance ?? memory.baseImportance ?? baseImportanceOf(memory.category),
      base_importance: memory.baseImportance ?? memory.importance ?? baseImportanceOf(memory.category),
      access_count: memory.accessCount ?? 0,
      last_accessed_at: memory.lastAccessedAt ?? null,
      source: memory.source,
      source_message_ids: memory.sourceMessageIds ?? [],
      cluster_key: memory.clusterKey ?? null,
      valid_from: memory.validFrom ?? created,
      valid_to: memory.validTo ?? null,
      archived_at: memory.archivedAt ?? null,
      created_at: created,
      updated_at: memory.updatedAt ?? created,
      embedding: toVectorLiteral(memory.embedding),
      context_embedding: memory.contextEmbedding ? toVectorLiteral(memory.contextEmbedding) : null,
      position: i,
    };
  });
  const inserted = await tx.query<MemoryRow>(
    `insert into memories as m (id, account_id, end_user_id, agent_id, conversation_id, content, context, metadata, category, slot, speaker,
                                importance, base_importance, access_count, last_accessed_at, source, source_message_ids, cluster_key,
                                valid_from, valid_to, archived_at, created_at, updated_at, embedding, context_embedding)
     select r.id, $1, r.end_user_id, r.agent_id, r.conversation_id, r.content, r.context, r.metadata, r.category, r.slot, r.speaker,
            r.importance, r.base_importance, r.access_count, r.last_accessed_at, r.source, r.source_message_ids, r.cluster_key,
            r.valid_from, r.valid_to, r.archived_at, r.created_at, r.updated_at, r.embedding::vector, r.context_embedding::vector
     from jsonb_to_recordset($2::jsonb) as r(id uuid, end_user_id text, agent_id text, conversation_id text, content text,
            context text, metadata jsonb, category text, slot text, speaker text, importance real, base_importance real, access_count integer,
            last_accessed_at timestamptz, source text, source_message_ids text[], cluster_key text, valid_from timestamptz, valid_to timestamptz,
            archived_at timestamptz, created_at timestamptz, updated_at timestamptz, embedding text, context_embedding text, position integer)
     order by r.position
     on conflict (id) do nothing
     returning ${MEMORY_COLUMNS}`,
    [ctx.account.id, JSON.stringify(records)],
  );
  // A row whose id already exists (or repeats an earlier one of the batch) was skipped: its slot is null.
  const byId = new Map(inserted.map((row) => [row.id, row]));
  return ids.map((id) => {
    const row = byId.get(id) ?? null;
    byId.delete(id);
    return row;
  });
}

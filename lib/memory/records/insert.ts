import type { Ctx } from '@/lib/core/context';
import { toVectorLiteral, type Db } from '@/lib/db';
import { hasMemoryRoom, reserveMemories } from '@/lib/metering/quotas';
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
 * How the plan's memory limit applies: `reserve` refuses the whole transaction with 429 when the new active
 * memories do not fit; `if-room` writes nothing (and returns []) instead; `derived` is for memories made from
 * others (summaries), which the plan does not charge.
 */
export type MemoryQuota = 'reserve' | 'if-room' | 'derived';

/**
 * The one writer of `memories`, inside the caller's transaction. The plan's limit is checked once for the batch with
 * the account row locked, so racing writers are decided one at a time; the insert trigger moves the count. A row whose
 * id already exists is skipped (its slot in the result is null).
 */
export async function insertMemories(tx: Db, ctx: Pick<Ctx, 'account' | 'now'>, memories: NewMemory[], quota: MemoryQuota = 'reserve'): Promise<(MemoryRow | null)[]> {
  const active = memories.filter((memory) => !memory.archivedAt).length;
  if (active > 0 && quota === 'reserve') await reserveMemories(tx, { ...ctx, db: tx }, active);
  if (active > 0 && quota === 'if-room' && !(await hasMemoryRoom(tx, { ...ctx, db: tx }, active, { lock: true }))) return [];
  const rows: (MemoryRow | null)[] = [];
  for (const memory of memories) {
    const created = memory.createdAt ?? ctx.now();
    const inserted = await tx.query<MemoryRow>(
      `insert into memories as m (id, account_id, end_user_id, agent_id, conversation_id, content, context, metadata, category, slot, speaker,
                                  importance, base_importance, access_count, last_accessed_at, source, source_message_ids, cluster_key,
                                  valid_from, valid_to, archived_at, created_at, updated_at, embedding, context_embedding)
       values (coalesce($1::uuid, gen_random_uuid()), $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
               $19, $20, $21, $22, $23, $24::vector, $25::vector)
       on conflict (id) do nothing
       returning ${MEMORY_COLUMNS}`,
      [
        memory.id ?? null,
        ctx.account.id,
        memory.endUserId,
        memory.agentId ?? null,
        memory.conversationId ?? null,
        memory.content,
        memory.context ?? null,
        JSON.stringify(memory.metadata ?? {}),
        memory.category ?? null,
        memory.slot ?? null,
        memory.speaker ?? null,
        memory.importance ?? memory.baseImportance ?? baseImportanceOf(memory.category),
        memory.baseImportance ?? memory.importance ?? baseImportanceOf(memory.category),
        memory.accessCount ?? 0,
        memory.lastAccessedAt ?? null,
        memory.source,
        memory.sourceMessageIds ?? [],
        memory.clusterKey ?? null,
        memory.validFrom ?? created,
        memory.validTo ?? null,
        memory.archivedAt ?? null,
        created,
        memory.updatedAt ?? created,
        toVectorLiteral(memory.embedding),
        memory.contextEmbedding ? toVectorLiteral(memory.contextEmbedding) : null,
      ],
    );
    rows.push(inserted[0] ?? null);
  }
  return rows;
}

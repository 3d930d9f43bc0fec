import type { MemoryDetailViewT, MemoryViewT } from '@/lib/schemas/memory';
import type { MemoryRow } from './row';

// The two wire views of one memory, side by side: the Memory Layer reference's (snake_case, `/v1/memory/…`) and
// the m3mory reference's (camelCase with provenance and validity, `/v1/memories/…`, the dashboard's detail pane).

const iso = (value: Date | string) => new Date(value).toISOString();
const isoOrNull = (value: Date | string | null) => (value === null ? null : iso(value));

/** Scores and importance as the API shows them: four decimals. */
export const roundScore = (value: number) => Math.round(value * 10_000) / 10_000;

export function toMemoryView(row: MemoryRow): MemoryViewT {
  return {
    id: row.id,
    content: row.content,
    external_user_id: row.end_user_id,
    metadata: row.metadata as MemoryViewT['metadata'],
    importance_score: roundScore(Number(row.importance)),
    access_count: Number(row.access_count),
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    last_accessed_at: isoOrNull(row.last_accessed_at),
  };
}

export function toMemoryDetailView(row: MemoryRow): MemoryDetailViewT {
  return {
    id: row.id,
    content: row.content,
    category: row.category ?? 'general',
    userId: row.end_user_id,
    agentId: row.agent_id,
    metadata: row.metadata as MemoryDetailViewT['metadata'],
    entities: row.entities ?? [],
    importance: roundScore(Number(row.importance)),
    accessCount: Number(row.access_count),
    source: row.source,
    sourceMessageIds: row.source_message_ids,
    context: row.context,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    lastAccessed: isoOrNull(row.last_accessed_at),
    validFrom: iso(row.valid_from),
    validTo: isoOrNull(row.valid_to),
    supersededBy: row.superseded_by,
    supersededReason: row.superseded_by ? row.superseded_reason : null,
    archivedAt: isoOrNull(row.archived_at),
  };
}

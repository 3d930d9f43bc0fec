import type { MemoryViewT } from '@/lib/api/schemas/memory';

export interface MemoryRow {
  id: string;
  content: string;
  end_user_id: string;
  metadata: Record<string, unknown>;
  importance: number;
  access_count: number;
  created_at: Date | string;
  updated_at: Date | string;
  last_accessed_at: Date | string | null;
}

export const MEMORY_COLUMNS = 'id, content, end_user_id, metadata, importance, access_count, created_at, updated_at, last_accessed_at';

const iso = (value: Date | string) => new Date(value).toISOString();
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
    last_accessed_at: row.last_accessed_at ? iso(row.last_accessed_at) : null,
  };
}

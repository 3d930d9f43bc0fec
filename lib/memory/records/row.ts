/** One memory as stored, as every read of a memory selects it (`MEMORY_COLUMNS`). */
export interface MemoryRow {
  id: string;
  end_user_id: string;
  agent_id: string | null;
  conversation_id: string | null;
  content: string;
  /** The turns around the message the memory came from (ingest), kept as searchable text. */
  context: string | null;
  metadata: Record<string, unknown>;
  category: string | null;
  importance: number;
  access_count: number;
  source: string;
  source_message_ids: string[];
  created_at: Date | string;
  updated_at: Date | string;
  last_accessed_at: Date | string | null;
  valid_from: Date | string;
  valid_to: Date | string | null;
  superseded_by: string | null;
  superseded_reason: string | null;
  archived_at: Date | string | null;
  /** Names of the entities the memory mentions (not the end user); only where `ENTITY_NAMES` is selected. */
  entities?: string[];
}

/** The columns of `MemoryRow`, for a query over `memories m`. */
export const MEMORY_COLUMNS = `m.id, m.end_user_id, m.agent_id, m.conversation_id, m.content, m.context, m.metadata, m.category,
  m.importance, m.access_count, m.source, m.source_message_ids, m.created_at, m.updated_at, m.last_accessed_at,
  m.valid_from, m.valid_to, m.superseded_by, m.superseded_reason, m.archived_at`;

/** `MemoryRow.entities`, for a query over `memories m`. */
export const ENTITY_NAMES = `coalesce((select array_agg(e.name order by e.name) from memory_entities me join entities e on e.id = me.entity_id
  where me.memory_id = m.id and e.type <> 'user'), '{}') as entities`;

/**
 * A memory search, chat and context see: neither archived (pruned) nor replaced by a newer fact. The same rule is
 * written in the SQL functions of the migrations and in the trigger that counts memories against the plan.
 */
export const ACTIVE = 'm.archived_at is null and m.superseded_by is null';
export const ARCHIVED = 'm.archived_at is not null';

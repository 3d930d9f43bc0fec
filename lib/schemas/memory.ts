import { z } from 'zod';
import { ExternalUserId, JsonValue, Metadata, PastTimestamp, queryBoolean, queryInt, queryNumber, text } from './common';

// Length is bounded by MAX_MEMORY_CHARS in the service (413), and the whole body by MAX_BODY_BYTES.
export const Content = z
  .string()
  .refine((value) => !value.includes('\u0000'), 'content must not contain NUL characters')
  .refine((value) => value.trim().length > 0, 'content must not be empty')
  .describe('The text to remember: up to MAX_MEMORY_CHARS characters (16,000 by default); longer content gets 413.');

export const StoreMemoryBody = z.object({
  content: Content,
  external_user_id: ExternalUserId,
  metadata: Metadata.default({}),
  conversation_id: text('conversation_id', 255)
    .optional()
    .describe('The conversation or session the memory belongs to (metadata.session_id is read the same way): memories of one session are ranked with the one before them, as ingested turns are.'),
  timestamp: PastTimestamp.optional().describe('When it was said (ISO 8601), for importing history; the memory is dated by it. Default: now.'),
});

const Query = text('query', 8_000).refine((value) => value.trim().length > 0, 'query must not be empty');

const SearchMode = z
  .enum(['hybrid', 'semantic'])
  .describe('hybrid (default): vector and BM25 fused with entities, time and conversation; semantic: the reference’s pure cosine ranking by combined_score.');
const Threshold =
  'Minimum cosine similarity (0–1). In hybrid mode a memory that shares a word with the query may sit up to 0.1 below it.';

export const SearchMemoriesBody = z.object({
  query: Query.describe('Natural-language query.'),
  external_user_id: ExternalUserId,
  limit: z.int().min(1).max(100).default(10),
  similarity_threshold: z.number().min(0).max(1).default(0.35).describe(Threshold),
  mode: SearchMode.default('hybrid'),
  explain: z.boolean().default(false).describe('Hybrid mode: add each ranking signal’s part to every result.'),
});

export const SearchMemoriesQuery = z.object({
  query: Query,
  external_user_id: ExternalUserId,
  limit: queryInt(1, 100, 10),
  similarity_threshold: queryNumber(0, 1, 0.35).describe(Threshold),
  mode: SearchMode.optional().transform((value) => value ?? 'hybrid'),
  explain: queryBoolean(false),
});

export const ListMemoriesQuery = z.object({
  limit: queryInt(1, 200, 50),
  offset: queryInt(0, 10_000_000, 0),
  external_user_id: ExternalUserId.optional(),
  archived: queryBoolean(false).describe('true lists archived (pruned) memories instead, for restoring.'),
});

export const MemoryIdParams = z.object({ memory_id: z.uuid('memory_id must be a UUID') });

export const ScopeQuery = z.object({ external_user_id: ExternalUserId.optional() });

export const MemoryView = z.object({
  id: z.uuid(),
  content: z.string(),
  external_user_id: z.string(),
  metadata: z.record(z.string(), JsonValue),
  importance_score: z.number(),
  access_count: z.int(),
  created_at: z.string(),
  updated_at: z.string(),
  last_accessed_at: z.string().nullable(),
});

export const StoreMemoryResponse = z.object({ status: z.literal('success'), memory: MemoryView });

export const ScoreExplanation = z.object({
  semantic: z.number(),
  keyword: z.number(),
  entity: z.number(),
  temporal: z.number(),
  conversation: z.number(),
  recency: z.number(),
  importance: z.number(),
  cosineSimilarity: z.number().describe("The memory's own cosine similarity to the query."),
});

export const SearchMemoriesResponse = z.object({
  results: z.array(
    z.object({
      memory: MemoryView,
      similarity: z.number().describe('Cosine similarity of the memory to the query.'),
      combined_score: z.number().describe('0.7·similarity + 0.3·importance.'),
      score: z.number().describe('What the results are ranked by: the hybrid ranking score, or combined_score in semantic mode.'),
      explain: ScoreExplanation.optional(),
    }),
  ),
  total_count: z.int(),
  query: z.string(),
  similarity_threshold: z.number(),
  mode: z.enum(['hybrid', 'semantic']),
});

export const ListMemoriesResponse = z.object({
  memories: z.array(MemoryView),
  total_count: z.int(),
  limit: z.int(),
  offset: z.int(),
  has_more: z.boolean(),
});

export const DeleteMemoryResponse = z.object({ status: z.literal('success'), id: z.uuid(), deleted: z.literal(true) });

export type StoreMemoryInput = z.infer<typeof StoreMemoryBody>;
export type SearchMemoriesInput = z.infer<typeof SearchMemoriesBody>;
export type ListMemoriesInput = z.infer<typeof ListMemoriesQuery>;
export type MemoryViewT = z.infer<typeof MemoryView>;

/** One memory in the m3mory reference's shape (`/v1/memories/…`, the dashboard's detail pane): provenance and validity. */
export const MemoryDetailView = z.object({
  id: z.uuid(),
  content: z.string(),
  category: z.string(),
  userId: z.string(),
  agentId: z.string().nullable(),
  metadata: z.record(z.string(), JsonValue),
  entities: z.array(z.string()),
  importance: z.number(),
  accessCount: z.int(),
  source: z.string(),
  sourceMessageIds: z.array(z.string()),
  context: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastAccessed: z.string().nullable(),
  validFrom: z.string(),
  validTo: z.string().nullable(),
  supersededBy: z.uuid().nullable(),
  supersededReason: z.string().nullable().describe('Why a newer memory replaced it (the slot a newer statement set, or the extraction model’s decision).'),
  archivedAt: z.string().nullable(),
});

export const RestoreMemoryResponse = z.object({ status: z.literal('success'), memory: MemoryView });

export const MemoryStatsResponse = z.object({
  total_memories: z.int(),
  archived_memories: z.int(),
  superseded_memories: z.int(),
  end_users: z.int(),
  avg_importance: z.number(),
  total_access_count: z.int(),
  memories_last_24h: z.int(),
  oldest_memory_at: z.string().nullable(),
  newest_memory_at: z.string().nullable(),
  external_user_id: z.string().nullable(),
  usage: z.object({
    period: z.string(),
    searches_today: z.int(),
    searches_this_month: z.int(),
    tokens_this_month: z.object({ prompt: z.int(), completion: z.int(), total: z.int() }),
    storage_used_mb: z.number().describe('The account’s storage in MiB (every memory, archived and superseded too, and every chat message), as GET /v1/status counts it.'),
  }),
  plan: z.object({
    id: z.string(),
    name: z.string(),
    memory_limit: z.int().nullable(),
    search_limit: z.int().nullable(),
    search_limit_period: z.enum(['day', 'month']).nullable(),
    token_limit: z.int().nullable(),
    requests_per_minute: z.int().nullable(),
    storage_limit_mb: z.number().nullable(),
  }),
});

export type MemoryDetailViewT = z.infer<typeof MemoryDetailView>;
export type MemoryStatsResponseT = z.infer<typeof MemoryStatsResponse>;

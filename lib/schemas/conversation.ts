import { z } from 'zod';
import { ExternalUserId, JsonValue, Metadata, PastTimestamp, queryBoolean, queryInt, text } from './common';
import { MemoryDetailView, ScoreExplanation } from './memory';

export const UserId = ExternalUserId.describe('Your end user’s id: the same space as external_user_id.');
export const AgentId = text('agentId', 255)
  .refine((value) => value.trim().length > 0, 'agentId must not be empty')
  .transform((value) => value.trim())
  .describe('Narrows to one agent’s memories.');

export const MessageSchema = z.object({
  role: z.enum(['user', 'assistant', 'system', 'tool']),
  content: text('content', 32_000),
  name: text('name', 100).optional().describe('Who is speaking, in multi-party conversations (as in OpenAI messages).'),
});

export const IngestBody = z.object({
  agentId: AgentId.optional(),
  userId: UserId,
  messages: z.array(MessageSchema).min(1, 'messages must not be empty').max(200),
  conversationId: text('conversationId', 255).optional(),
  metadata: Metadata.default({}),
  timestamp: PastTimestamp.optional()
    .describe('When the conversation took place (ISO 8601); its memories are dated by it, for importing history. Default: now.'),
});

export const ContextBody = z.object({
  agentId: AgentId.optional(),
  userId: UserId,
  messages: z.array(MessageSchema).min(1, 'messages must not be empty').max(200),
  tokenBudget: z.int().min(0).max(200_000).default(2000).describe('Maximum tokens of the returned block (o200k tokenizer).'),
});

export const FilteredSearchBody = z.object({
  agentId: AgentId.optional(),
  userId: UserId,
  query: text('query', 8_000).refine((value) => value.trim().length > 0, 'query must not be empty'),
  limit: z.int().min(1).max(100).default(10),
  categories: z.array(text('category', 64)).max(20).optional(),
  metadata: Metadata.optional().describe('Only memories whose metadata contains these key-values.'),
  explain: z.boolean().default(false).describe('Add each ranking signal’s part to every result.'),
});

export const PagedListQuery = z.object({
  page: queryInt(1, 1_000_000, 1),
  pageSize: queryInt(1, 200, 50),
  userId: UserId.optional(),
  agentId: AgentId.optional(),
  category: text('category', 64).optional(),
  includeSuperseded: queryBoolean(false),
});

export const IdParams = z.object({ id: z.uuid('id must be a memory id (UUID)') });
export const EndUserPathParams = z.object({ external_user_id: UserId });

export type IngestInput = z.infer<typeof IngestBody>;
export type ContextInput = z.infer<typeof ContextBody>;
export type FilteredSearchInput = z.infer<typeof FilteredSearchBody>;
export type PagedListInput = z.infer<typeof PagedListQuery>;

const WriteOutcome = z.object({
  id: z.uuid(),
  content: z.string(),
  category: z.string(),
  status: z.enum(['created', 'duplicate']).describe('created: a new memory; duplicate: merged into an existing one that says the same.'),
  supersedes: z.array(z.uuid()).describe('Older memories this one replaced (they stay in the history).'),
  sourceMessageIndex: z.int().describe('Index into messages of the message it came from.'),
});

export const IngestResponse = z.object({
  memoriesCreated: z.int(),
  entitiesExtracted: z.int(),
  edgesCreated: z.int(),
  processingMs: z.int(),
  memoriesSuperseded: z.int(),
  duplicatesMerged: z.int(),
  conversationId: z.string(),
  extraction: z.enum(['llm', 'offline']),
  memories: z.array(WriteOutcome),
  decisions: z
    .array(
      z.object({
        messageIndex: z.int(),
        action: z.enum(['created', 'merged', 'skipped']),
        memoryId: z.uuid().nullable(),
        reason: z.string(),
        similarity: z.number().nullable().describe('merged: cosine similarity to the memory it was merged into (1 for the same text).'),
        superseded: z.array(z.object({ id: z.uuid(), reason: z.string() })).describe('Older memories this one replaced, each with why.'),
      }),
    )
    .describe('What happened to each message and why.'),
});

export const ContextResponse = z.object({
  text: z.string().describe('The markdown block for a system prompt; empty when nothing fits the budget.'),
  memoriesUsed: z.int(),
  tokensUsed: z.int(),
  retrievalMs: z.int(),
  tokenBudget: z.int(),
  lines: z.array(z.object({ memoryId: z.uuid(), text: z.string() })),
  omitted: z.array(z.object({ memoryId: z.uuid(), reason: z.literal('token_budget') })),
});


export const FilteredSearchResponse = z.object({
  memories: z.array(
    z.object({
      id: z.uuid(),
      content: z.string(),
      category: z.string(),
      score: z.number().describe('The ranking score (hybrid: vector, BM25, entities, time, conversation, recency).'),
      createdAt: z.string(),
      agentId: z.string().nullable(),
      metadata: z.record(z.string(), JsonValue),
      explain: ScoreExplanation.optional().describe('With explain: true, each signal’s part of the score.'),
    }),
  ),
  total: z.int(),
});

export const PagedListResponse = z.object({ memories: z.array(MemoryDetailView), total: z.int(), page: z.int(), pageSize: z.int() });
export const MemoryHistoryResponse = z.object({ id: z.uuid(), history: z.array(MemoryDetailView), current: z.uuid().nullable() });
export const DeleteMemoryDetailResponse = z.object({ deleted: z.literal(true) });
export const EraseEndUserResponse = z.object({
  status: z.literal('success'),
  external_user_id: z.string(),
  deleted: z.object({ memories: z.int(), entities: z.int(), edges: z.int(), chat_messages: z.int() }),
});

export const AccountStatusResponse = z.object({
  plan: z.string(),
  memoriesStored: z.int(),
  memoryLimit: z.int().nullable(),
  storageUsedMb: z.number().describe('The account’s storage, in MiB: every memory (archived and superseded too: text, metadata, context, plus 6 KiB for its vectors and indexes) and every chat message (text plus 256 bytes). Writes that would pass storageLimitMb get 429.'),
  storageLimitMb: z.number().nullable(),
  requestsToday: z.int(),
  rateLimitPerMin: z.int().nullable(),
  tokensUsed: z.int(),
  tokenLimit: z.int().nullable(),
  searchesUsed: z.int(),
  searchLimit: z.int().nullable(),
  searchLimitPeriod: z.enum(['day', 'month']).nullable(),
  period: z.string(),
});

export type MemoryHistoryResponseT = z.infer<typeof MemoryHistoryResponse>;

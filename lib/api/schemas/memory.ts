import { z } from 'zod';
import { ExternalUserId, Metadata, queryBoolean, queryInt, queryNumber, text } from './common';

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
});

const Query = text('query', 8_000).refine((value) => value.trim().length > 0, 'query must not be empty');

export const SearchMemoriesBody = z.object({
  query: Query.describe('Natural-language query.'),
  external_user_id: ExternalUserId,
  limit: z.int().min(1).max(100).default(10),
  similarity_threshold: z.number().min(0).max(1).default(0.35),
});

export const SearchMemoriesQuery = z.object({
  query: Query,
  external_user_id: ExternalUserId,
  limit: queryInt(1, 100, 10),
  similarity_threshold: queryNumber(0, 1, 0.35),
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
  metadata: z.record(z.string(), z.json()),
  importance_score: z.number(),
  access_count: z.int(),
  created_at: z.string(),
  updated_at: z.string(),
  last_accessed_at: z.string().nullable(),
});

export const StoreMemoryResponse = z.object({ status: z.literal('success'), memory: MemoryView });

export const SearchMemoriesResponse = z.object({
  results: z.array(z.object({ memory: MemoryView, similarity: z.number(), combined_score: z.number() })),
  total_count: z.int(),
  query: z.string(),
  similarity_threshold: z.number(),
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

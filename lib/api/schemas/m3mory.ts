import { z } from 'zod';
import { ExternalUserId, Metadata, queryBoolean, queryInt, text } from './common';

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
  timestamp: z.iso
    .datetime({ offset: true })
    // An unparsable value is the format check's error alone, not also "in the future".
    .refine((value) => !(Date.parse(value) > Date.now() + 5 * 60_000), 'timestamp must not be in the future')
    .optional()
    .describe('When the conversation took place (ISO 8601); its memories are dated by it, for importing history. Default: now.'),
});

export const ContextBody = z.object({
  agentId: AgentId.optional(),
  userId: UserId,
  messages: z.array(MessageSchema).min(1, 'messages must not be empty').max(200),
  tokenBudget: z.int().min(0).max(200_000).default(2000).describe('Maximum tokens of the returned block (o200k tokenizer).'),
});

export const M3SearchBody = z.object({
  agentId: AgentId.optional(),
  userId: UserId,
  query: text('query', 8_000).refine((value) => value.trim().length > 0, 'query must not be empty'),
  limit: z.int().min(1).max(100).default(10),
  categories: z.array(text('category', 64)).max(20).optional(),
  metadata: Metadata.optional().describe('Only memories whose metadata contains these key-values.'),
  explain: z.boolean().default(false).describe('Add each ranking signal’s part to every result.'),
});

export const M3ListQuery = z.object({
  page: queryInt(1, 1_000_000, 1),
  pageSize: queryInt(1, 200, 50),
  userId: UserId.optional(),
  agentId: AgentId.optional(),
  category: text('category', 64).optional(),
  includeSuperseded: queryBoolean(false),
});

export const M3MemoryIdParams = z.object({ id: z.uuid('id must be a memory id (UUID)') });
export const EndUserPathParams = z.object({ external_user_id: UserId });

export type IngestInput = z.infer<typeof IngestBody>;
export type ContextInput = z.infer<typeof ContextBody>;
export type M3SearchInput = z.infer<typeof M3SearchBody>;
export type M3ListInput = z.infer<typeof M3ListQuery>;

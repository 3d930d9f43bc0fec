import { z } from 'zod';
import { ExternalUserId, text } from './common';

export const MAX_CHAT_MESSAGE_CHARS = 8_000;

const Message = text('message', MAX_CHAT_MESSAGE_CHARS)
  .refine((value) => value.trim().length > 0, 'message must not be empty')
  .describe("The user's message (max 8,000 characters).");

export const ChatBody = z.object({
  message: Message,
  external_user_id: ExternalUserId,
  top_k: z.int().min(1).max(20).default(5),
  conversation_id: text('conversation_id', 255).optional(),
  stream: z.boolean().default(false).describe('Stream the reply as server-sent events.'),
});

export const LegacyChatBody = z.object({
  message: Message,
  external_user_id: ExternalUserId.optional(),
  top_k: z.int().min(1).max(20).default(5),
  conversation_id: text('conversation_id', 255).optional(),
});

export const ChatResponse = z.object({
  reply: z.string(),
  used_memories: z.array(z.object({ id: z.string(), memory_text: z.string(), score: z.number() })),
  memory_created: z.boolean(),
  conversation_id: z.string().nullable(),
  mode: z.enum(['llm', 'offline']),
  model: z.string(),
  usage: z.object({ prompt_tokens: z.int(), completion_tokens: z.int() }),
});

export const LegacyChatResponse = z.object({
  reply: z.string(),
  memory_ids: z.array(z.string()),
  mode: z.string(),
  memories_used: z.array(z.object({ id: z.string(), content: z.string(), similarity: z.number() })),
});

export type ChatInput = z.infer<typeof ChatBody>;
export type ChatResponseT = z.infer<typeof ChatResponse>;

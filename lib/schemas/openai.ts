import { z } from 'zod';
import { MAX_CHAT_MESSAGE_CHARS } from './chat';
import { ExternalUserId, text } from './common';

// POST /v1/openai/chat/completions: the subset of OpenAI's Chat Completions wire format a memory-backed chat serves.

export const MAX_OPENAI_MESSAGES = 200;
const MAX_OPENAI_CONTENT_CHARS = 32_000;

const TextPart = z.object({ type: z.literal('text').describe('Only text parts are read; images and audio are refused.'), text: text('text', MAX_OPENAI_CONTENT_CHARS) });
const Content = z.union([text('content', MAX_OPENAI_CONTENT_CHARS), z.array(TextPart).max(100)]);

const OpenAiMessage = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant']),
  content: Content.nullable().optional().describe('A string or text parts (null only for an assistant turn).'),
  name: text('name', 64).optional(),
});

/** A message's text: its string, or its text parts joined. */
export const contentText = (content: z.infer<typeof Content> | null | undefined): string =>
  typeof content === 'string' ? content : (content ?? []).map((part) => part.text).join('\n');

export const OpenAiChatCompletionBody = z
  .object({
    model: text('model', 255).describe('Accepted for compatibility; the model the server is configured with answers (named in the response).'),
    messages: z.array(OpenAiMessage).min(1).max(MAX_OPENAI_MESSAGES).describe('The conversation; memories are retrieved for the last user message.'),
    user: ExternalUserId.optional().describe('The end user whose memories are used and stored (or the X-End-User-Id header).'),
    stream: z.boolean().nullable().optional().describe('Stream `chat.completion.chunk` server-sent events ending with `data: [DONE]`.'),
    stream_options: z.object({ include_usage: z.boolean().optional() }).nullable().optional(),
    temperature: z.number().min(0).max(2).nullable().optional().describe('Passed to the configured model.'),
    max_tokens: z.int().min(1).nullable().optional().describe('At most this many output tokens (never more than the server’s LLM_MAX_OUTPUT_TOKENS).'),
    max_completion_tokens: z.int().min(1).nullable().optional().describe('As max_tokens (wins when both are given).'),
    n: z.literal(1).nullable().optional().describe('One choice only.'),
  })
  .superRefine((body, issues) => {
    body.messages.forEach((message, index) => {
      if (message.role !== 'assistant' && contentText(message.content).trim() === '') issues.addIssue({ code: 'custom', path: ['messages', index, 'content'], message: `a ${message.role} message needs text content` });
    });
    const last = body.messages.findLastIndex((message) => message.role === 'user');
    if (last < 0) return issues.addIssue({ code: 'custom', path: ['messages'], message: 'messages must contain a user message' });
    if (contentText(body.messages[last]!.content).length > MAX_CHAT_MESSAGE_CHARS) {
      issues.addIssue({ code: 'custom', path: ['messages', last, 'content'], message: `the last user message must be at most ${MAX_CHAT_MESSAGE_CHARS} characters` });
    }
  });

const Usage = z.object({ prompt_tokens: z.int(), completion_tokens: z.int(), total_tokens: z.int() });

/** Beyond OpenAI's fields (clients ignore it): which memories were used and whether the message was stored. */
const MemoryReport = z.object({
  external_user_id: z.string(),
  used_memories: z.array(z.object({ id: z.string(), memory_text: z.string(), score: z.number() })),
  memory_created: z.boolean(),
  mode: z.enum(['llm', 'offline']),
});

export const OpenAiChatCompletionResponse = z.object({
  id: z.string(),
  object: z.literal('chat.completion'),
  created: z.int(),
  model: z.string(),
  choices: z.array(
    z.object({
      index: z.int(),
      message: z.object({ role: z.literal('assistant'), content: z.string(), refusal: z.null() }),
      logprobs: z.null(),
      finish_reason: z.literal('stop'),
    }),
  ),
  usage: Usage,
  memory: MemoryReport,
});

export type OpenAiChatCompletionInput = z.infer<typeof OpenAiChatCompletionBody>;
export type OpenAiChatCompletion = z.infer<typeof OpenAiChatCompletionResponse>;

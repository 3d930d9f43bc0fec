import { z } from 'zod';
import { ExternalUserId, text } from './common';

export const MAX_CHAT_MESSAGE_CHARS = 8_000;

const Message = text('message', MAX_CHAT_MESSAGE_CHARS)
  .refine((value) => value.trim().length > 0, 'message must not be empty')
  .describe("The user's message (max 8,000 characters).");

/** A message as the AI SDK's useChat sends it (UIMessage): only its text parts are read. */
const UiMessage = z.object({
  id: text('id', 255).optional(),
  role: z.enum(['system', 'user', 'assistant']),
  parts: z.array(z.looseObject({ type: text('type', 100), text: text('text', 32_000).optional() })).max(100),
});
export const MAX_UI_MESSAGES = 200;

const textOf = (message: z.infer<typeof UiMessage>) =>
  message.parts.flatMap((part) => (part.type === 'text' && part.text ? [part.text] : [])).join('\n');

export const ChatBody = z
  .object({
    message: Message.optional().describe("The user's message (max 8,000 characters); or `messages` as useChat sends them."),
    messages: z
      .array(UiMessage)
      .max(MAX_UI_MESSAGES)
      .optional()
      .describe("AI SDK useChat's messages (UIMessage[]): the last user message's text is the message, the earlier ones are the history sent to the model."),
    id: text('id', 255).optional().describe("useChat's chat id: the conversation_id when none is given."),
    external_user_id: ExternalUserId,
    top_k: z.int().min(1).max(20).default(5),
    conversation_id: text('conversation_id', 255).optional(),
    stream: z.boolean().default(false).describe('Stream the reply as server-sent events.'),
    stream_format: z
      .enum(['sse', 'ui'])
      .default('sse')
      .describe('`sse`: the events memories, delta, done (with "stream": true). `ui`: the AI SDK UI message stream that useChat reads (implies streaming).'),
  })
  // Reported beside the other fields' issues (a refinement runs only on an otherwise valid body unless told when).
  .superRefine(
    (body, issues) => {
      if (body.message === undefined && body.messages === undefined) issues.addIssue({ code: 'invalid_type', expected: 'string', path: ['message'], message: 'Field required' });
    },
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  )
  .superRefine((body, issues) => {
    if (body.message !== undefined && body.messages !== undefined) issues.addIssue({ code: 'custom', path: ['messages'], message: 'Give either message or messages, not both' });
    if (body.messages === undefined || body.message !== undefined) return;
    const last = body.messages.findLastIndex((m) => m.role === 'user');
    if (last < 0) return issues.addIssue({ code: 'custom', path: ['messages'], message: 'messages must contain a user message' });
    const checked = Message.safeParse(textOf(body.messages[last]!));
    for (const issue of checked.error?.issues ?? []) issues.addIssue({ code: 'custom', path: ['messages', last, 'parts'], message: issue.message });
  })
  .transform(({ messages, id, ...body }) => {
    if (!messages) return { ...body, message: body.message!, history: undefined };
    const last = messages.findLastIndex((m) => m.role === 'user');
    // System messages from a browser are not instructions to follow: only the user's and the assistant's turns are sent.
    const history = messages
      .slice(0, last)
      .flatMap((m) => (m.role === 'system' ? [] : [{ role: m.role, content: textOf(m) }]))
      .filter((m) => m.content.length > 0);
    return { ...body, message: textOf(messages[last]!), conversation_id: body.conversation_id ?? id, history };
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

/** What chat needs from a request; `history` (the turns before the message) replaces the stored conversation's when given. */
export type ChatInput = Pick<z.infer<typeof ChatBody>, 'message' | 'external_user_id' | 'top_k' | 'conversation_id' | 'stream'> & {
  history?: { role: 'user' | 'assistant'; content: string }[];
};
export type ChatResponseT = z.infer<typeof ChatResponse>;

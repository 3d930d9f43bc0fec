import { randomUUID } from 'node:crypto';
import type { Ctx } from '@/lib/core/context';
import { ApiError } from '@/lib/errors';
import type { ChatResponseT } from '@/lib/schemas/chat';
import { END_USER_HEADER, ExternalUserId, text } from '@/lib/schemas/common';
import { contentText, type OpenAiChatCompletion, type OpenAiChatCompletionInput } from '@/lib/schemas/openai';
import { prepareChat, replyTo, type Prepared } from './chat';
import { sseResponse, streamTurn } from './stream';

/** Where the end user and the conversation may come from besides the body (headers, read by the route). */
export interface OpenAiCallerHints {
  endUserHeader: string | null;
  conversationHeader: string | null;
}

const invalid = (loc: string[], msg: string, type = 'value_error') => new ApiError('validation', 'Validation error', { details: [{ type, loc, msg }] });

/** The end user: the body's `user`, else the X-End-User-Id header; never a default shared by every user. */
function endUserOf(input: OpenAiChatCompletionInput, hints: OpenAiCallerHints): string {
  if (input.user) return input.user;
  if (hints.endUserHeader === null) {
    throw invalid(['body', 'user'], 'Field required: give the end user whose memories to use in "user" (or the X-End-User-Id header)', 'missing');
  }
  const parsed = ExternalUserId.safeParse(hints.endUserHeader);
  if (!parsed.success) throw invalid(['header', END_USER_HEADER.toLowerCase()], parsed.error.issues[0]!.message);
  return parsed.data;
}

function conversationOf(hints: OpenAiCallerHints): string | undefined {
  if (hints.conversationHeader === null) return undefined;
  const parsed = text('X-Conversation-Id', 255).refine((value) => value.trim() !== '', 'X-Conversation-Id must not be empty').safeParse(hints.conversationHeader);
  if (!parsed.success) throw invalid(['header', 'x-conversation-id'], parsed.error.issues[0]!.message);
  return parsed.data;
}

/**
 * The chat capability's turn for an OpenAI request: memories are retrieved for the last user message, the turns
 * before it are the history, and the caller's own system (and developer) messages come before the memories block.
 */
async function prepareCompletion(ctx: Ctx, input: OpenAiChatCompletionInput, hints: OpenAiCallerHints): Promise<Prepared> {
  const last = input.messages.findLastIndex((message) => message.role === 'user');
  const history = input.messages
    .slice(0, last)
    .flatMap((message) => (message.role === 'user' || message.role === 'assistant' ? [{ role: message.role, content: contentText(message.content) }] : []))
    .filter((message) => message.content !== '');
  const prepared = await prepareChat(ctx, {
    message: contentText(input.messages[last]!.content),
    external_user_id: endUserOf(input, hints),
    top_k: 5,
    conversation_id: conversationOf(hints),
    stream: input.stream === true,
    history,
  });
  const instructions = input.messages.filter((message) => message.role === 'system' || message.role === 'developer').map((message) => contentText(message.content));
  const sampling = { temperature: input.temperature ?? undefined, maxOutputTokens: input.max_completion_tokens ?? input.max_tokens ?? undefined };
  return { ...prepared, system: [...instructions, prepared.system].join('\n\n'), sampling };
}

const memoryReport = (prepared: Prepared, reply: ChatResponseT) => ({
  external_user_id: prepared.input.external_user_id,
  used_memories: reply.used_memories,
  memory_created: reply.memory_created,
  mode: reply.mode,
});

const usageOf = (reply: ChatResponseT) => ({
  prompt_tokens: reply.usage.prompt_tokens,
  completion_tokens: reply.usage.completion_tokens,
  total_tokens: reply.usage.prompt_tokens + reply.usage.completion_tokens,
});

/**
 * POST /v1/openai/chat/completions: a chat completion (or its `chat.completion.chunk` stream) from the configured
 * model, with the end user's memories injected, and the exchange stored as /v1/chat stores it.
 */
export async function openAiChatCompletion({ ctx, input, hints, signal }: { ctx: Ctx; input: OpenAiChatCompletionInput; hints: OpenAiCallerHints; signal: AbortSignal }): Promise<OpenAiChatCompletion | Response> {
  const prepared = await prepareCompletion(ctx, input, hints);
  const id = `chatcmpl-${randomUUID()}`;
  const created = Math.floor(ctx.now().getTime() / 1000);
  if (!input.stream) {
    const reply = await replyTo(ctx, prepared, signal);
    return {
      id,
      object: 'chat.completion',
      created,
      model: reply.model,
      choices: [{ index: 0, message: { role: 'assistant', content: reply.reply, refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: usageOf(reply),
      memory: memoryReport(prepared, reply),
    };
  }
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: ctx.llm.model, choices, ...extra })}\n\n`;
  return sseResponse(async (write, abort) => {
    write(chunk([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]));
    await streamTurn(ctx, prepared, abort, {
      delta: (piece) => write(chunk([{ index: 0, delta: { content: piece }, logprobs: null, finish_reason: null }])),
      done: (reply) => {
        write(chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }], { memory: memoryReport(prepared, reply) }));
        if (input.stream_options?.include_usage) write(chunk([], { usage: usageOf(reply) }));
        write('data: [DONE]\n\n');
      },
      // OpenAI's clients raise an event carrying `error` as an APIError.
      error: (detail) => write(`data: ${JSON.stringify({ error: { message: detail, type: 'server_error', param: null, code: null } })}\n\n`),
    });
  }, signal);
}

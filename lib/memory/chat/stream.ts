import { randomUUID } from 'node:crypto';
import { createUIMessageStream, createUIMessageStreamResponse } from 'ai';
import type { Ctx } from '@/lib/core/context';
import type { ChatInput, ChatResponseT } from '@/lib/schemas/chat';
import { persistTurn, prepareChat, shapeReply, usedMemoriesView, type Prepared } from './chat';

export interface TurnListener {
  delta(text: string): void;
  done(reply: ChatResponseT): void;
  error(detail: string): void;
}

/**
 * Streams the model's reply to a listener (each wire format only encodes) and stores the turn exactly once: with the
 * reply when the model finished, the user's message alone when it failed or the client left (who then hears nothing).
 */
export async function streamTurn(ctx: Ctx, prepared: Prepared, abort: AbortSignal, listener: TurnListener): Promise<void> {
  const llmStream = ctx.llm.stream({ system: prepared.system, messages: prepared.messages, memories: prepared.used.map((m) => m.content), abortSignal: abort, ...prepared.sampling });
  let persisted = false;
  try {
    for await (const delta of llmStream.textStream) listener.delta(delta);
    const result = await llmStream.result;
    persisted = true;
    const memoryCreated = await persistTurn(ctx, prepared, result.text);
    listener.done(shapeReply(ctx, prepared, result, memoryCreated));
  } catch (error) {
    // A client gone before `done` must not store the turn a second time.
    if (!persisted) await persistTurn(ctx, prepared, null);
    const detail = error instanceof Error && 'code' in error ? error.message : 'The language model failed. Please retry.';
    if (!abort.aborted) listener.error(detail);
  }
}

/** An abort controller that follows the request's signal (a client that disconnects aborts the model call). */
export function abortWith(signal: AbortSignal): AbortController {
  const abort = new AbortController();
  if (signal.aborted) abort.abort();
  else signal.addEventListener('abort', () => abort.abort(), { once: true });
  return abort;
}

export const SSE_HEADERS = { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform', Connection: 'keep-alive' };

/** A text/event-stream Response fed by `produce`; writes after the client left are dropped, and leaving aborts. */
export function sseResponse(produce: (write: (text: string) => void, abort: AbortSignal) => Promise<void>, signal: AbortSignal): Response {
  const encoder = new TextEncoder();
  const abort = abortWith(signal);
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const write = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          // the client disconnected; the abort stops the work
        }
      };
      await produce(write, abort.signal);
      try {
        controller.close();
      } catch {
        // already closed by a disconnecting client
      }
    },
    cancel() {
      abort.abort();
    },
  });
  return new Response(stream, { headers: SSE_HEADERS });
}

const sse = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/**
 * Server-sent events: `memories` (what was retrieved) first, then `delta` text pieces, then `done` with the
 * full reply fields, or `error` with {detail}. A client that disconnects aborts the model call.
 */
export async function chatStream({ ctx, input, signal }: { ctx: Ctx; input: ChatInput; signal: AbortSignal }): Promise<Response> {
  const prepared = await prepareChat(ctx, input);
  return sseResponse(async (write, abort) => {
    write(sse('memories', { used_memories: usedMemoriesView(prepared) }));
    await streamTurn(ctx, prepared, abort, {
      delta: (text) => write(sse('delta', { text })),
      done: (reply) => write(sse('done', reply)),
      error: (detail) => write(sse('error', { detail })),
    });
  }, signal);
}

/**
 * The AI SDK's UI message stream (what useChat's DefaultChatTransport reads), made by the AI SDK's own helpers:
 * start, a `data-memories` part with what was retrieved, the text, then finish with the reply's fields as the
 * message metadata, or an `error` chunk with the detail.
 */
export async function chatUiStream({ ctx, input, signal }: { ctx: Ctx; input: ChatInput; signal: AbortSignal }): Promise<Response> {
  const prepared = await prepareChat(ctx, input);
  const abort = abortWith(signal);
  const stream = createUIMessageStream({
    execute: async ({ writer }) => {
      const textId = randomUUID();
      writer.write({ type: 'start' });
      writer.write({ type: 'data-memories', data: { used_memories: usedMemoriesView(prepared) } });
      writer.write({ type: 'text-start', id: textId });
      await streamTurn(ctx, prepared, abort.signal, {
        delta: (text) => writer.write({ type: 'text-delta', id: textId, delta: text }),
        done: (reply) => {
          const { used_memories, memory_created, conversation_id, mode, model, usage } = reply;
          writer.write({ type: 'text-end', id: textId });
          writer.write({ type: 'finish', finishReason: 'stop', messageMetadata: { used_memories, memory_created, conversation_id, mode, model, usage } });
        },
        error: (detail) => writer.write({ type: 'error', errorText: detail }),
      });
    },
  });
  return createUIMessageStreamResponse({ stream });
}

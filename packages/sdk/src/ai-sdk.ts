import { tool, wrapLanguageModel, type LanguageModel, type LanguageModelMiddleware } from 'ai';
import { z } from 'zod';
import type { MemoryLayer } from './client.js';

type CallOptions = Parameters<NonNullable<LanguageModelMiddleware['transformParams']>>[0]['params'];
type Prompt = CallOptions['prompt'];
type StreamResult = Awaited<ReturnType<NonNullable<LanguageModelMiddleware['wrapStream']>>>;
type StreamPart = StreamResult['stream'] extends ReadableStream<infer Part> ? Part : never;

// The API's limit on one message's content (/v1/context and /v1/ingest).
const MAX_MESSAGE_CHARS = 32_000;

export interface MemoryMiddlewareOptions {
  client: MemoryLayer;
  /** The end user whose memories are read and written. */
  userId: string;
  /** Narrows reads and writes to one agent's memories. */
  agentId?: string;
  /** Token budget of the memory block added to the system prompt (o200k tokens). Default 1000. */
  maxTokens?: number;
  /** Stored with the ingested exchange, so its turns are ranked together. */
  conversationId?: string;
  /** Store each exchange (user message + reply) after generation. Default true. */
  ingest?: boolean;
  /**
   * Hands the ingest to the platform instead of waiting for it (`waitUntil` of @vercel/functions, or a Worker's
   * `ctx.waitUntil`), so the reply is not held up. By default the call waits for the write.
   */
  waitUntil?: (promise: Promise<unknown>) => void;
  /** A failed memory call never fails the generation; it is reported here (default: console.warn). */
  onError?: (error: unknown, phase: 'context' | 'ingest') => void;
}

/** The text of the latest user message of a prompt (its text parts), or undefined when there is none. */
export function latestUserText(prompt: Prompt): string | undefined {
  for (let index = prompt.length - 1; index >= 0; index--) {
    const message = prompt[index]!;
    if (message.role !== 'user') continue;
    const text = message.content
      .flatMap((part) => (part.type === 'text' ? [part.text] : []))
      .join('\n')
      .trim();
    return text ? text.slice(0, MAX_MESSAGE_CHARS) : undefined;
  }
  return undefined;
}

/** The prompt with the memory block at the end of its first system message (or in a new one before the rest). */
export function withMemoryBlock(prompt: Prompt, block: string): Prompt {
  const systemIndex = prompt.findIndex((message) => message.role === 'system');
  if (systemIndex < 0) return [{ role: 'system', content: block }, ...prompt];
  return prompt.map((message, index) => (index === systemIndex && message.role === 'system' ? { ...message, content: `${message.content}\n\n${block}` } : message));
}

/**
 * AI SDK middleware (`wrapLanguageModel({ model, middleware: memoryMiddleware({ client, userId }) })`): before each
 * call it fetches POST /v1/context for the latest user message within `maxTokens` and adds the block to the system
 * prompt; after the model answers (generate, or the stream's end) it ingests the exchange with POST /v1/ingest.
 * Steps that end in tool calls without text store nothing; the step that answers stores the exchange.
 */
export function memoryMiddleware(options: MemoryMiddlewareOptions): LanguageModelMiddleware {
  const { client, userId, agentId } = options;
  const report = options.onError ?? ((error, phase) => console.warn(`[memory-layer] ${phase} failed; continuing without it:`, error));

  async function store(prompt: Prompt, reply: string): Promise<void> {
    if (options.ingest === false) return;
    const user = latestUserText(prompt);
    const assistant = reply.trim().slice(0, MAX_MESSAGE_CHARS);
    if (!user || !assistant) return;
    const write = client
      .ingest({ userId, agentId, conversationId: options.conversationId, messages: [{ role: 'user', content: user }, { role: 'assistant', content: assistant }] })
      .then(
        () => undefined,
        (error: unknown) => report(error, 'ingest'),
      );
    if (options.waitUntil) options.waitUntil(write);
    else await write;
  }

  return {
    specificationVersion: 'v3',

    async transformParams({ params }) {
      const query = latestUserText(params.prompt);
      if (!query) return params;
      try {
        const context = await client.context({ userId, agentId, query, tokenBudget: options.maxTokens ?? 1000 });
        return context.text.trim() ? { ...params, prompt: withMemoryBlock(params.prompt, context.text) } : params;
      } catch (error) {
        report(error, 'context');
        return params;
      }
    },

    async wrapGenerate({ doGenerate, params }) {
      const result = await doGenerate();
      const reply = result.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('');
      await store(params.prompt, reply);
      return result;
    },

    async wrapStream({ doStream, params }) {
      const { stream, ...rest } = await doStream();
      let reply = '';
      // The exchange is stored when the stream ends normally; an aborted or failed stream stores nothing.
      const collect = new TransformStream<StreamPart, StreamPart>({
        transform(part, controller) {
          if (part.type === 'text-delta') reply += part.delta;
          controller.enqueue(part);
        },
        flush: () => store(params.prompt, reply),
      });
      return { ...rest, stream: stream.pipeThrough(collect) };
    },
  };
}

/** `model` with memory: the same as `wrapLanguageModel({ model, middleware: memoryMiddleware(options) })`. */
export function withMemory<Model extends Exclude<LanguageModel, string>>(model: Model, options: MemoryMiddlewareOptions) {
  return wrapLanguageModel({ model: model as Parameters<typeof wrapLanguageModel>[0]['model'], middleware: memoryMiddleware(options) });
}

/**
 * AI SDK tools for agents: `remember` stores a fact about the end user, `recall` searches what is remembered.
 * `generateText({ model, tools: memoryTools({ client, userId }), ... })`.
 */
export function memoryTools({ client, userId }: { client: MemoryLayer; userId: string }) {
  return {
    remember: tool({
      description:
        'Save one durable fact about the user (a preference, plan, relationship or detail they shared) so it can be recalled in later conversations. Write it as one self-contained sentence.',
      inputSchema: z.object({ content: z.string().min(1).max(16_000).describe('The fact to remember, as one self-contained sentence.') }),
      execute: async ({ content }) => {
        const memory = await client.remember({ userId, content, metadata: { source: 'ai-sdk-tool' } });
        return { id: memory.id, content: memory.content, stored: true };
      },
    }),
    recall: tool({
      description: "Search what is remembered about the user. Use it before answering anything about the user's past, preferences or plans.",
      inputSchema: z.object({
        query: z.string().min(1).max(8_000).describe('What to look for, in natural language.'),
        limit: z.number().int().min(1).max(20).optional().describe('At most this many memories (default 5).'),
      }),
      execute: async ({ query, limit }) => {
        const found = await client.recall({ userId, query, limit: limit ?? 5 });
        return { memories: found.results.map((result) => ({ id: result.memory.id, content: result.memory.content, score: result.score, createdAt: result.memory.created_at })) };
      },
    }),
  };
}

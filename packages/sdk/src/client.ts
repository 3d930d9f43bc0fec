import { EventSourceParserStream } from 'eventsource-parser/stream';
import { APIConnectionError, errorFromResponse, MemoryLayerError } from './errors.js';
import { createClient, createConfig, type Client } from './generated/client/index.js';
import { MemoryLayerApi } from './generated/sdk.gen.js';
import type {
  ChatResponse,
  ContextResponse,
  DeleteMemoryResponse,
  EraseEndUserResponse,
  ExportLine,
  IngestBody,
  IngestResponse,
  JsonValue,
  MemoryView,
  SearchMemoriesResponse,
} from './generated/types.gen.js';
import { createRetryingFetch, type FetchLike } from './retry.js';

export const SDK_VERSION = '0.1.0';

export interface MemoryLayerOptions {
  /** `mlive_…`; defaults to the MEMORY_LAYER_API_KEY environment variable where there is one. */
  apiKey?: string;
  /** Defaults to MEMORY_LAYER_BASE_URL, else http://localhost:3000. */
  baseUrl?: string;
  /** A fetch implementation (default: the runtime's). */
  fetch?: (input: Request) => Promise<Response>;
  /** Retries after the first attempt on 429, and on 5xx / network errors for idempotent or read-only requests. Default 2. */
  maxRetries?: number;
  /** Per attempt, until the response starts. None by default. */
  timeoutMs?: number;
  /** Also retry writes on 5xx and network errors (they may then be applied twice). Default false. */
  retryNonIdempotent?: boolean;
  /** A `Retry-After` longer than this is not waited for (the error is thrown). Default 60. */
  maxRetryAfterSeconds?: number;
  /** Headers added to every request. */
  headers?: Record<string, string>;
  /** Called before each retry, e.g. to log it. */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string; request: Request }) => void;
}

export type Message = IngestBody['messages'][number];
export type Metadata = { [key: string]: JsonValue };
export type UsedMemory = ChatResponse['used_memories'][number];

export interface RememberInput {
  userId: string;
  content: string;
  metadata?: Metadata;
  conversationId?: string;
  /** When it was said (ISO 8601), for importing history. */
  timestamp?: string;
}

export interface RecallInput {
  userId: string;
  query: string;
  limit?: number;
  /** Minimum cosine similarity, 0–1 (default 0.35 on the server). */
  threshold?: number;
  /** `hybrid` (default) or `semantic`. */
  mode?: 'hybrid' | 'semantic';
  /** Add each ranking signal's part to every result. */
  explain?: boolean;
}

export interface ChatInput {
  userId: string;
  message: string;
  topK?: number;
  conversationId?: string;
  stream?: boolean;
  signal?: AbortSignal;
}

export interface IngestInput {
  userId: string;
  messages: Message[];
  agentId?: string;
  conversationId?: string;
  metadata?: Metadata;
  timestamp?: string;
}

export type ContextInput = { userId: string; agentId?: string; tokenBudget?: number } & ({ messages: Message[]; query?: never } | { query: string; messages?: never });

export type ForgetInput = { memoryId: string; userId?: string } | { userId: string; memoryId?: never };

let warnedAboutBrowser = false;

// TextDecoderStream's writable side is typed as BufferSource, which a byte stream's pipeThrough does not accept.
const decodeText = (stream: ReadableStream<Uint8Array>): ReadableStream<string> =>
  stream.pipeThrough(new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>);

function environmentVariable(name: string): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.[name] || undefined;
}

/**
 * The Memory Layer client: the verbs people reach for (remember, recall, chat, ingest, context, forget, export) and,
 * as `api`, every operation of the OpenAPI document (generated). Failures throw MemoryLayerError subclasses.
 */
export class MemoryLayer {
  /** Every operation of the API, generated from its OpenAPI document: `await ml.api.getMemoryStats()` → `{ data }`. */
  readonly api: MemoryLayerApi;
  /** The generated fetch client, configured with the key, base URL, retries and typed errors. */
  readonly client: Client;
  readonly baseUrl: string;

  constructor(options: MemoryLayerOptions = {}) {
    const apiKey = options.apiKey ?? environmentVariable('MEMORY_LAYER_API_KEY');
    if (!apiKey) throw new MemoryLayerError({ status: 0, code: 'unauthorized', detail: 'An API key is required: new MemoryLayer({ apiKey }) or MEMORY_LAYER_API_KEY.' });
    if (typeof window !== 'undefined' && !warnedAboutBrowser) {
      warnedAboutBrowser = true;
      console.warn(
        '[memory-layer] MemoryLayer was created in a browser. An API key must never ship to a browser: anyone can read it and reach every end user of your account. Call Memory Layer from your server (a route handler or server action) instead.',
      );
    }
    this.baseUrl = (options.baseUrl ?? environmentVariable('MEMORY_LAYER_BASE_URL') ?? 'http://localhost:3000').replace(/\/+$/, '');
    const baseFetch: FetchLike = options.fetch ?? ((request) => globalThis.fetch(request));
    const retryingFetch = createRetryingFetch({
      fetch: baseFetch,
      maxRetries: options.maxRetries ?? 2,
      timeoutMs: options.timeoutMs,
      retryNonIdempotent: options.retryNonIdempotent ?? false,
      maxRetryAfterSeconds: options.maxRetryAfterSeconds ?? 60,
      onRetry: options.onRetry,
    });
    this.client = createClient(
      createConfig({ baseUrl: this.baseUrl, auth: apiKey, fetch: retryingFetch as typeof fetch, headers: options.headers, throwOnError: true }),
    );
    // The one place a failed call becomes a typed error: the parsed body, the status and the request id.
    this.client.interceptors.error.use((error, response) => {
      if (error instanceof MemoryLayerError) return error;
      if (response) return errorFromResponse(response.status, response.headers, error);
      return new APIConnectionError({ status: 0, code: 'connection_error', detail: String((error as Error)?.message ?? error), cause: error });
    });
    this.api = new MemoryLayerApi({ client: this.client });
  }

  /** Stores one memory for an end user (POST /v1/memory/). */
  async remember(input: RememberInput): Promise<MemoryView> {
    const { data } = await this.api.storeMemory({
      body: { content: input.content, external_user_id: input.userId, metadata: input.metadata, conversation_id: input.conversationId, timestamp: input.timestamp },
    });
    return data.memory;
  }

  /** Searches an end user's memories (POST /v1/memory/search; hybrid ranking by default). */
  async recall(input: RecallInput): Promise<SearchMemoriesResponse> {
    const { data } = await this.api.searchMemories({
      body: { query: input.query, external_user_id: input.userId, limit: input.limit, similarity_threshold: input.threshold, mode: input.mode, explain: input.explain },
    });
    return data;
  }

  /**
   * Chats with memory injected (POST /v1/chat/). With `stream: true` it resolves, once the server has accepted the
   * request, to a ChatStream: iterate it for the reply's text deltas, then `await stream.final()` for the full reply.
   */
  chat(input: ChatInput & { stream: true }): Promise<ChatStream>;
  chat(input: ChatInput & { stream?: false }): Promise<ChatResponse>;
  async chat(input: ChatInput): Promise<ChatResponse | ChatStream> {
    const body = { message: input.message, external_user_id: input.userId, top_k: input.topK, conversation_id: input.conversationId };
    if (!input.stream) {
      const { data } = await this.api.chat({ body, signal: input.signal });
      return data;
    }
    const { data, response } = await this.api.chat({ body: { ...body, stream: true }, parseAs: 'stream', signal: input.signal });
    const stream = data as unknown as ReadableStream<Uint8Array> | null;
    if (!stream) throw new MemoryLayerError({ status: response.status, code: 'stream_error', detail: 'The chat stream had no body', requestId: response.headers.get('x-request-id') ?? undefined });
    return new ChatStream(stream, response.headers.get('x-request-id') ?? undefined);
  }

  /** Extracts and stores memories from a conversation (POST /v1/ingest). */
  async ingest(input: IngestInput): Promise<IngestResponse> {
    const { data } = await this.api.ingestConversation({
      body: { userId: input.userId, messages: input.messages, agentId: input.agentId, conversationId: input.conversationId, metadata: input.metadata, timestamp: input.timestamp },
    });
    return data;
  }

  /** A prompt-ready block of what is known about the end user, within a token budget (POST /v1/context). */
  async context(input: ContextInput): Promise<ContextResponse> {
    const messages = input.messages ?? [{ role: 'user' as const, content: input.query }];
    const { data } = await this.api.buildContext({ body: { userId: input.userId, agentId: input.agentId, messages, tokenBudget: input.tokenBudget } });
    return data;
  }

  /**
   * Deletes one memory (`{ memoryId }`, DELETE /v1/memory/{id}; with `userId` only if it is that user's), or
   * everything of an end user (`{ userId }` alone, DELETE /v1/users/{id}: memories, entities, edges, chat history).
   */
  forget(input: { memoryId: string; userId?: string }): Promise<DeleteMemoryResponse>;
  forget(input: { userId: string }): Promise<EraseEndUserResponse>;
  async forget(input: ForgetInput): Promise<DeleteMemoryResponse | EraseEndUserResponse> {
    if (input.memoryId) {
      const { data } = await this.api.deleteMemory({ path: { memory_id: input.memoryId }, query: input.userId ? { external_user_id: input.userId } : undefined });
      return data;
    }
    if (!input.userId) throw new MemoryLayerError({ status: 0, code: 'validation', detail: 'forget needs a memoryId or a userId' });
    const { data } = await this.api.eraseEndUser({ path: { external_user_id: input.userId } });
    return data;
  }

  /** Every memory of the account, or of one end user, as the server streams them (GET /v1/export, JSON Lines). */
  async *export(input: { userId?: string; signal?: AbortSignal } = {}): AsyncGenerator<ExportLine> {
    const { data } = await this.api.exportMemories({ query: input.userId ? { external_user_id: input.userId } : undefined, parseAs: 'stream', signal: input.signal });
    const stream = data as unknown as ReadableStream<Uint8Array> | null;
    if (!stream) return;
    const reader = decodeText(stream).getReader();
    let buffered = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (value) buffered += value;
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          if (line) yield JSON.parse(line) as ExportLine;
        }
        if (done) break;
      }
      if (buffered.trim()) yield JSON.parse(buffered) as ExportLine;
    } finally {
      reader.releaseLock();
      await stream.cancel().catch(() => {});
    }
  }
}

/**
 * A streamed chat reply: iterate it for the text deltas (once); `memories` holds what was retrieved as soon as the
 * server says; `final()` resolves to the full reply (the fields of the non-streamed response). A server `error`
 * event throws a MemoryLayerError from the iteration.
 */
export class ChatStream implements AsyncIterable<string> {
  memories: UsedMemory[] = [];
  readonly requestId: string | undefined;
  #events: AsyncGenerator<{ event: string; data: string }>;
  #started = false;
  #final: ChatResponse | undefined;

  constructor(body: ReadableStream<Uint8Array>, requestId?: string) {
    this.requestId = requestId;
    this.#events = ChatStream.#read(body);
  }

  static async *#read(body: ReadableStream<Uint8Array>): AsyncGenerator<{ event: string; data: string }> {
    const reader = decodeText(body).pipeThrough(new EventSourceParserStream()).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield { event: value.event ?? 'message', data: value.data };
      }
    } finally {
      await reader.cancel().catch(() => {});
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<string> {
    if (this.#started) throw new MemoryLayerError({ status: 0, code: 'stream_error', detail: 'A ChatStream can be iterated once' });
    this.#started = true;
    for await (const { event, data } of this.#events) {
      const payload = JSON.parse(data) as Record<string, unknown>;
      if (event === 'memories') this.memories = (payload.used_memories as UsedMemory[]) ?? [];
      else if (event === 'delta' && typeof payload.text === 'string') yield payload.text;
      else if (event === 'done') this.#final = payload as unknown as ChatResponse;
      else if (event === 'error') {
        throw new MemoryLayerError({ status: 0, code: 'stream_error', detail: typeof payload.detail === 'string' ? payload.detail : 'The chat stream failed', requestId: this.requestId, body: payload });
      }
    }
    if (!this.#final) throw new MemoryLayerError({ status: 0, code: 'stream_error', detail: 'The chat stream ended before its reply was complete', requestId: this.requestId });
  }

  /** The full reply: reads what is left of the stream (or returns it if the iteration already did). */
  async final(): Promise<ChatResponse> {
    if (!this.#started) for await (const delta of this) void delta;
    if (!this.#final) throw new MemoryLayerError({ status: 0, code: 'stream_error', detail: 'The chat stream was not read to its end', requestId: this.requestId });
    return this.#final;
  }

  /** Reads the whole stream and returns the reply's text. */
  async text(): Promise<string> {
    return (await this.final()).reply;
  }
}

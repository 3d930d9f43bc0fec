import type { z } from 'zod';

export interface LlmMessage {
  role: 'user' | 'assistant';
  content: string;
}

export interface LlmRequest {
  system: string;
  messages: LlmMessage[];
  /** The memories already quoted in `system`; the offline responder answers from these alone. */
  memories: string[];
  abortSignal?: AbortSignal;
  /** Sampling temperature; the provider's default when absent. */
  temperature?: number;
  /** At most this many output tokens; never more than the configured LLM_MAX_OUTPUT_TOKENS. */
  maxOutputTokens?: number;
}

/** A request's own output cap within the configured one. */
export const outputCap = (request: { maxOutputTokens?: number }, configured: number) => Math.min(request.maxOutputTokens ?? configured, configured);

export interface LlmUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface LlmResult {
  text: string;
  usage: LlmUsage;
}

export interface LlmStream {
  textStream: AsyncIterable<string>;
  result: Promise<LlmResult>;
}

export interface LlmObjectRequest<T> {
  system: string;
  prompt: string;
  schema: z.ZodType<T>;
  abortSignal?: AbortSignal;
}

export interface Llm {
  /** "offline" when no model is configured: replies are composed from the memories, and responses say so. */
  readonly mode: 'llm' | 'offline';
  readonly model: string;
  /** The most tokens one answer may have (sent to the provider; the token quota reserves it before a call). */
  readonly maxOutputTokens?: number;
  generate(request: LlmRequest): Promise<LlmResult>;
  stream(request: LlmRequest): LlmStream;
  /** Structured output validated by the schema (extraction). The offline responder cannot do this. */
  generateObject<T>(request: LlmObjectRequest<T>): Promise<{ object: T; usage: LlmUsage }>;
}

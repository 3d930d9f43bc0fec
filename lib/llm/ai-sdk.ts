import { APICallError, generateText, Output, streamText, type LanguageModel } from 'ai';
import { ApiError } from '@/lib/errors';
import { outputCap, type Llm, type LlmResult } from './types';

function toApiError(error: unknown, timedOut: boolean): ApiError {
  if (error instanceof ApiError) return error;
  if (timedOut) return new ApiError('timeout', 'The language model did not answer in time. Please retry.', { cause: error });
  const status = APICallError.isInstance(error) ? error.statusCode : undefined;
  return new ApiError('bad_gateway', `The language model provider failed${status ? ` (HTTP ${status})` : ''}. Please retry.`, { cause: error });
}

function withTimeout(request: { abortSignal?: AbortSignal }, timeoutMs: number) {
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = request.abortSignal ? AbortSignal.any([request.abortSignal, timeout]) : timeout;
  return { signal, timedOut: () => timeout.aborted };
}

/** Gemini, OpenAI or any OpenAI-compatible server, all through the AI SDK. */
export function createAiSdkLlm(options: { model: LanguageModel; modelName: string; timeoutMs: number; maxOutputTokens: number }): Llm {
  return {
    mode: 'llm',
    model: options.modelName,
    maxOutputTokens: options.maxOutputTokens,
    async generate(request): Promise<LlmResult> {
      const { signal, timedOut } = withTimeout(request, options.timeoutMs);
      try {
        const result = await generateText({
          model: options.model,
          system: request.system,
          messages: request.messages,
          abortSignal: signal,
          maxRetries: 1,
          maxOutputTokens: outputCap(request, options.maxOutputTokens),
          temperature: request.temperature,
        });
        return {
          text: result.text,
          usage: { promptTokens: result.usage.inputTokens ?? 0, completionTokens: result.usage.outputTokens ?? 0 },
        };
      } catch (error) {
        throw toApiError(error, timedOut());
      }
    },
    stream(request) {
      const { signal, timedOut } = withTimeout(request, options.timeoutMs);
      let failure: unknown;
      const result = streamText({
        model: options.model,
        system: request.system,
        messages: request.messages,
        abortSignal: signal,
        maxRetries: 1,
        maxOutputTokens: outputCap(request, options.maxOutputTokens),
        temperature: request.temperature,
        onError: ({ error }) => {
          failure = error;
        },
      });
      async function* textStream() {
        for await (const piece of result.textStream) yield piece;
        if (failure) throw toApiError(failure, timedOut());
      }
      const final = (async (): Promise<LlmResult> => {
        try {
          const [text, usage] = await Promise.all([result.text, result.usage]);
          if (failure) throw failure;
          return { text, usage: { promptTokens: usage.inputTokens ?? 0, completionTokens: usage.outputTokens ?? 0 } };
        } catch (error) {
          throw toApiError(failure ?? error, timedOut());
        }
      })();
      final.catch(() => {});
      return { textStream: textStream(), result: final };
    },
    async generateObject(request) {
      const { signal, timedOut } = withTimeout(request, options.timeoutMs);
      try {
        const result = await generateText({
          model: options.model,
          system: request.system,
          prompt: request.prompt,
          output: Output.object({ schema: request.schema }),
          abortSignal: signal,
          maxRetries: 1,
          maxOutputTokens: options.maxOutputTokens,
        });
        return {
          object: result.output as never,
          usage: { promptTokens: result.usage.inputTokens ?? 0, completionTokens: result.usage.outputTokens ?? 0 },
        };
      } catch (error) {
        throw toApiError(error, timedOut());
      }
    },
  };
}

import { countTokens } from '@/lib/memory/context/token-budget';
import { ApiError } from '@/lib/errors';
import { outputCap, type Llm, type LlmUsage } from '@/lib/llm/types';
import { reserveTokens, settleTokens, type QuotaCtx } from './quotas';

/** The prompt as our tokenizer counts it (o200k): close enough to reserve; the provider's count settles it. */
function promptTokens(parts: string[]): number {
  return parts.reduce((sum, part) => sum + countTokens(part), 0);
}

/**
 * What a failed call is charged: a timeout or an abort (the client went away) reached the provider, which bills the
 * prompt and what it streamed; a provider error (4xx/5xx, unreachable) is charged nothing.
 */
function chargeForFailure(error: unknown, aborted: boolean, prompt: number, streamed: string): LlmUsage {
  const reachedProvider = aborted || (error instanceof ApiError && error.code === 'timeout');
  return reachedProvider ? { promptTokens: prompt, completionTokens: countTokens(streamed) } : { promptTokens: 0, completionTokens: 0 };
}

/**
 * The only LLM the domain sees (`ctx.llm`). Every call first reserves its prompt and the most it may answer
 * (maxOutputTokens) against the month's tokens, atomically, so concurrent calls cannot overshoot the plan (429 when
 * they do not fit); when the provider answers, the reservation becomes what it reports, recorded on its own, outside
 * the caller's transaction, so the spend counts even when the work that follows fails. The offline responder costs
 * nothing and passes through.
 */
export function meteredLlm(llm: Llm, meter: QuotaCtx): Llm {
  if (llm.mode === 'offline') return llm;
  const maxOutput = llm.maxOutputTokens ?? 1_024;

  async function metered<T>(prompt: number, signal: AbortSignal | undefined, call: () => Promise<T & { usage: LlmUsage }>, output = maxOutput): Promise<T & { usage: LlmUsage }> {
    const reserved = prompt + output;
    await reserveTokens(meter, reserved);
    try {
      const result = await call();
      await settleTokens(meter, reserved, result.usage);
      return result;
    } catch (error) {
      await settleTokens(meter, reserved, chargeForFailure(error, signal?.aborted ?? false, prompt, ''));
      throw error;
    }
  }

  return {
    mode: llm.mode,
    model: llm.model,
    maxOutputTokens: llm.maxOutputTokens,
    generate: (request) => metered(promptTokens([request.system, ...request.messages.map((m) => m.content)]), request.abortSignal, () => llm.generate(request), outputCap(request, maxOutput)),
    generateObject: (request) => metered(promptTokens([request.system, request.prompt]), request.abortSignal, () => llm.generateObject(request)),
    stream(request) {
      const prompt = promptTokens([request.system, ...request.messages.map((m) => m.content)]);
      const reserved = prompt + outputCap(request, maxOutput);
      const started = reserveTokens(meter, reserved).then(() => llm.stream(request));
      let streamed = '';
      async function* textStream() {
        for await (const piece of (await started).textStream) {
          streamed += piece;
          yield piece;
        }
      }
      const result = started.then(async (stream) => {
        try {
          const final = await stream.result;
          await settleTokens(meter, reserved, final.usage);
          return final;
        } catch (error) {
          await settleTokens(meter, reserved, chargeForFailure(error, request.abortSignal?.aborted ?? false, prompt, streamed));
          throw error;
        }
      });
      result.catch(() => {});
      return { textStream: textStream(), result };
    },
  };
}

import type { Llm, LlmUsage } from '@/lib/llm/types';
import { assertTokensLeft, type QuotaCtx } from './quotas';
import { recordUsage } from './usage-counters';

type MeterCtx = QuotaCtx;

async function recordTokens(meter: MeterCtx, usage: LlmUsage): Promise<void> {
  await recordUsage(meter, 'tokens_prompt', usage.promptTokens);
  await recordUsage(meter, 'tokens_completion', usage.completionTokens);
}

/**
 * The only LLM the domain sees (`ctx.llm`): every call first checks the account's monthly tokens (429 when spent) and
 * records the tokens it used as soon as the provider answers, on its own, outside the caller's transaction, so the
 * spend is counted even when the work that follows fails. The offline responder costs nothing and passes through.
 */
export function meteredLlm(llm: Llm, meter: MeterCtx): Llm {
  if (llm.mode === 'offline') return llm;
  return {
    mode: llm.mode,
    model: llm.model,
    async generate(request) {
      await assertTokensLeft(meter);
      const result = await llm.generate(request);
      await recordTokens(meter, result.usage);
      return result;
    },
    stream(request) {
      const checked = assertTokensLeft(meter);
      const inner = checked.then(() => llm.stream(request));
      async function* textStream() {
        for await (const piece of (await inner).textStream) yield piece;
      }
      const result = inner.then(async (stream) => {
        const final = await stream.result;
        await recordTokens(meter, final.usage);
        return final;
      });
      result.catch(() => {});
      return { textStream: textStream(), result };
    },
    async generateObject(request) {
      await assertTokensLeft(meter);
      const result = await llm.generateObject(request);
      await recordTokens(meter, result.usage);
      return result;
    },
  };
}

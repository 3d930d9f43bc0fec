import type { Llm, LlmRequest, LlmResult } from './types';

const MAX_LINES = 5;

export function composeOfflineReply(memories: string[]): string {
  if (memories.length === 0) return "I don't have anything on that yet.";
  const lines = memories.slice(0, MAX_LINES).map((memory) => `- ${memory.replace(/\s+/g, ' ').trim()}`);
  return `Here is what I remember:\n${lines.join('\n')}`;
}

function answer(request: LlmRequest): LlmResult {
  return { text: composeOfflineReply(request.memories), usage: { promptTokens: 0, completionTokens: 0 } };
}

/** An honest extractive responder for when no LLM is configured: it never invents, it quotes memories. */
export function createOfflineLlm(): Llm {
  return {
    mode: 'offline',
    model: 'offline-extractive',
    async generate(request) {
      return answer(request);
    },
    stream(request) {
      const result = answer(request);
      async function* words() {
        for (const piece of result.text.split(/(?<=\s)/)) yield piece;
      }
      return { textStream: words(), result: Promise.resolve(result) };
    },
    async generateObject() {
      throw new Error('The offline responder cannot produce structured output; use the offline extractor.');
    },
  };
}

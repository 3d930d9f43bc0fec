import { extractOffThread } from './extraction-thread';
import type { Extractor } from './types';

export { surroundingContext } from './offline-facts';

/**
 * No LLM: each memorable user turn becomes one memory with the turns around it as context; category, entities,
 * relations and the supersession slot come from rules and compromise (offline-facts.ts), in a worker thread.
 */
export function createOfflineExtractor(): Extractor {
  return {
    kind: 'offline',
    async extract({ messages }) {
      const { facts } = await extractOffThread(messages);
      return { facts, usage: { promptTokens: 0, completionTokens: 0 } };
    },
  };
}

import { runOffThread } from '@/lib/memory/cpu-thread/thread';
import type { Extractor } from './types';

export { surroundingContext } from './offline-facts';

/**
 * No LLM: each memorable user turn becomes one memory with the turns around it as context; category, entities,
 * relations and the supersession slot come from rules and compromise (offline-facts.ts), in the CPU worker thread.
 */
export function createOfflineExtractor(): Extractor {
  return {
    kind: 'offline',
    async extract({ messages }) {
      const { result: facts } = await runOffThread('extract', messages.map(({ role, content, name }) => ({ role, content, name })));
      return { facts, usage: { promptTokens: 0, completionTokens: 0 } };
    },
  };
}

import { categorize, detectSlot, findEntities, findRelations, isMemorable } from './rules';
import type { ExtractedFact, Extractor } from './types';

/**
 * No LLM: each memorable user turn becomes one memory, kept with the turn before it as context;
 * category, entities, relations and the supersession slot come from rules and compromise.
 */
export function createOfflineExtractor(): Extractor {
  return {
    kind: 'offline',
    async extract({ messages }) {
      const facts: ExtractedFact[] = [];
      messages.forEach((message, index) => {
        if (message.role !== 'user') return;
        const content = message.content.trim();
        if (!isMemorable(content)) return;
        const entities = findEntities(content);
        const category = categorize(content);
        facts.push({
          content,
          category,
          slot: detectSlot(content, category, entities),
          entities,
          relations: findRelations(content, entities),
          sourceIndex: index,
          context: index > 0 ? messages[index - 1]!.content.trim() || null : null,
          supersedes: [],
          duplicateOf: null,
        });
      });
      return { facts, usage: { promptTokens: 0, completionTokens: 0 } };
    },
  };
}

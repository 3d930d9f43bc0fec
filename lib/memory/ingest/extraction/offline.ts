import { categorize, findEntities, findRelations, isMemorable } from './rules';
import { detectSlot } from './slots';
import type { ConversationMessage, ExtractedFact, Extractor } from './types';

export function surroundingContext(messages: ConversationMessage[], index: number): string | null {
  const around = [messages[index - 1], messages[index + 1]].filter((m): m is ConversationMessage => Boolean(m?.content.trim()));
  return around.length ? around.map((m) => m.content.trim()).join('\n') : null;
}

/**
 * No LLM: each memorable user turn becomes one memory, kept with the turns before and after it as context
 * (an answer often only makes sense with its question, and vice versa); category, entities, relations and the
 * supersession slot come from rules and compromise.
 */
export function createOfflineExtractor(): Extractor {
  return {
    kind: 'offline',
    async extract({ messages }) {
      const facts: ExtractedFact[] = [];
      for (const [index, message] of messages.entries()) {
        if (message.role !== 'user') continue;
        // The rules are linear and read at most MAX_RULE_CHARS of a message, but a whole conversation of long
        // messages is still most of a second of CPU: let other requests run between messages.
        if (facts.length > 0) await new Promise((resolve) => setImmediate(resolve));
        const content = message.content.trim();
        if (!isMemorable(content)) continue;
        const entities = findEntities(content);
        const category = categorize(content);
        facts.push({
          content,
          category,
          slot: detectSlot(content, category, entities),
          entities,
          relations: findRelations(content, entities),
          sourceIndex: index,
          context: surroundingContext(messages, index),
          supersedes: [],
          duplicateOf: null,
        });
      }
      return { facts, usage: { promptTokens: 0, completionTokens: 0 } };
    },
  };
}

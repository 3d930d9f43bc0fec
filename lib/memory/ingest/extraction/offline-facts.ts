import { categorize, findEntities, findRelations, isMemorable } from './rules';
import { detectSlot } from './slots';
import type { ConversationMessage, ExtractedFact } from './types';

export function surroundingContext(messages: ConversationMessage[], index: number): string | null {
  const around = [messages[index - 1], messages[index + 1]].filter((m): m is ConversationMessage => Boolean(m?.content.trim()));
  return around.length ? around.map((m) => m.content.trim()).join('\n') : null;
}

/** The fact one message gives, if it is a memorable user turn. Linear, reading at most MAX_RULE_CHARS of it. */
export function factOfMessage(messages: ConversationMessage[], index: number): ExtractedFact | null {
  const message = messages[index]!;
  if (message.role !== 'user') return null;
  const content = message.content.trim();
  if (!isMemorable(content)) return null;
  const entities = findEntities(content);
  const category = categorize(content);
  return {
    content,
    category,
    slot: detectSlot(content, category, entities),
    entities,
    relations: findRelations(content, entities),
    sourceIndex: index,
    context: surroundingContext(messages, index),
    supersedes: [],
    duplicateOf: null,
  };
}

/**
 * No LLM: each memorable user turn becomes one memory, kept with the turns before and after it as context (an
 * answer often only makes sense with its question, and vice versa); category, entities, relations and the
 * supersession slot come from rules and compromise.
 */
export function extractOfflineFacts(messages: ConversationMessage[]): ExtractedFact[] {
  return messages.flatMap((_, index) => factOfMessage(messages, index) ?? []);
}

import type { Llm, LlmUsage } from '@/lib/llm/types';

export interface ConversationMessage {
  role: 'user' | 'assistant' | 'system' | 'tool';
  content: string;
  name?: string;
}

export interface ExtractedEntity {
  name: string;
  type: string;
}

export interface ExtractedRelation {
  /** An entity name, or "user" for the end user. */
  source: string;
  relation: string;
  target: string;
}

export interface ExtractedFact {
  content: string;
  category: string;
  /** An exclusive attribute ("location:home", "work:employer"): a newer fact with the same slot supersedes the older one. */
  slot: string | null;
  entities: ExtractedEntity[];
  relations: ExtractedRelation[];
  /** Index of the message it came from. */
  sourceIndex: number;
  /** The turns around the source message (before and after), kept as searchable context. */
  context: string | null;
  /** Ids of existing memories this fact replaces (decided by the LLM; the offline rules use `slot`). */
  supersedes: string[];
  /** Id of an existing memory that already says the same. */
  duplicateOf: string | null;
}

export interface ExistingMemory {
  id: string;
  content: string;
  category: string | null;
}

export interface ExtractionInput {
  userId: string;
  messages: ConversationMessage[];
  existing: ExistingMemory[];
}

/**
 * Turns a conversation into atomic facts. Chosen once at start-up: an LLM when configured, rules offline. The LLM
 * is the caller's (`ctx.llm`, metered), so extraction spends the account's tokens like any other call.
 */
export interface Extractor {
  readonly kind: 'llm' | 'offline';
  extract(input: ExtractionInput, llm: Llm): Promise<{ facts: ExtractedFact[]; usage: LlmUsage }>;
}

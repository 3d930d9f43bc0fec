import type { Llm } from '@/lib/llm';
import { createLlmExtractor } from './llm';
import { createOfflineExtractor } from './offline';
import type { Extractor } from './types';

export type { ConversationMessage, ExtractedFact, Extractor } from './types';

/** Chosen once at start-up: structured extraction when an LLM is configured, rules otherwise. */
export function createExtractor(llm: Llm): Extractor {
  return llm.mode === 'offline' ? createOfflineExtractor() : createLlmExtractor();
}

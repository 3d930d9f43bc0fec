import { roundScore } from '@/lib/memory/records/views';
import type { RankedMemory } from './hybrid';

/** Each ranking signal's part of a hybrid result's score, and the memory's own cosine similarity (`explain: true`). */
export function explainScore(result: Pick<RankedMemory, 'parts' | 'similarity'>) {
  return {
    semantic: roundScore(result.parts.semantic),
    keyword: roundScore(result.parts.keyword),
    entity: roundScore(result.parts.entity),
    temporal: roundScore(result.parts.temporal),
    conversation: roundScore(result.parts.conversation),
    recency: roundScore(result.parts.recency),
    importance: roundScore(result.parts.importance),
    cosineSimilarity: roundScore(result.similarity),
  };
}

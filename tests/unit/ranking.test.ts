import { describe, expect, it } from 'vitest';
import { namesInQuery, RANKING, rankCandidates, scoreCandidate } from '@/lib/memory/ranking';

const base = { similarity: 0.5, keywordScore: 0, importance: 0.5, createdAt: new Date('2026-01-01') };

describe('ranking', () => {
  it('a candidate first in both lists, newest, fully important scores 1', () => {
    const { score } = scoreCandidate({ ...base, vectorRank: 1, keywordRank: 1, importance: 1 }, base.createdAt);
    expect(score).toBeCloseTo(1, 10);
  });
  it('agreement between vector and keyword beats either alone', () => {
    const ranked = rankCandidates([
      { ...base, id: 'vector-only', vectorRank: 1, keywordRank: null },
      { ...base, id: 'both', vectorRank: 2, keywordRank: 2 },
      { ...base, id: 'keyword-only', vectorRank: null, keywordRank: 1 },
    ]);
    expect(ranked[0]!.id).toBe('both');
  });
  it('explains the parts, which sum to the score', () => {
    const { score, parts } = scoreCandidate({ ...base, vectorRank: 3, keywordRank: 7 }, new Date('2026-02-01'));
    expect(parts.semantic + parts.keyword + parts.entity + parts.recency + parts.importance).toBeCloseTo(score, 12);
    expect(parts.recency).toBeLessThan(0.01);
    expect(parts.entity).toBe(0);
  });
  it('boosts memories whose speaker or entity is named in the query', () => {
    const plain = scoreCandidate({ ...base, vectorRank: 2, keywordRank: 2 }, base.createdAt);
    const named = scoreCandidate({ ...base, vectorRank: 2, keywordRank: 2, named: true }, base.createdAt);
    expect(named.parts.entity).toBeCloseTo(RANKING.entityBoost * (plain.parts.semantic + plain.parts.keyword), 12);
  });
  it('matches names as whole words', () => {
    expect(namesInQuery("What do Melanie's kids like?", ['Melanie'])).toBe(true);
    expect(namesInQuery('What about Melanies?', ['Melanie'])).toBe(false);
    expect(namesInQuery('Where is New York?', [null, 'new york'])).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { rankCandidates, scoreCandidate } from '@/lib/memory/ranking';

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
    expect(parts.semantic + parts.keyword + parts.recency + parts.importance).toBeCloseTo(score, 12);
    expect(parts.recency).toBeLessThan(0.05);
  });
});

import { describe, expect, it } from 'vitest';
import { nameMatcher, RANKING, rankCandidates, scoreCandidate } from '@/lib/memory/search/ranking';

const base = { similarity: 0.5, keywordScore: 0, vectorPart: 0, keywordPart: 0, importance: 0.5, createdAt: new Date('2026-01-01') };

describe('ranking', () => {
  it('a candidate best in both lists, newest, fully important scores 1', () => {
    const { score } = scoreCandidate({ ...base, vectorPart: 1, keywordPart: 1, importance: 1 }, base.createdAt);
    expect(score).toBeCloseTo(1, 10);
  });
  it('a close second in both lists beats the best of either list alone', () => {
    const ranked = rankCandidates([
      { ...base, id: 'vector-only', vectorPart: 1, keywordPart: 0 },
      { ...base, id: 'both', vectorPart: 0.8, keywordPart: 0.8 },
      { ...base, id: 'keyword-only', vectorPart: 0.2, keywordPart: 1 },
    ]);
    expect(ranked.map((r) => r.id)).toEqual(['both', 'keyword-only', 'vector-only']);
  });
  it('keeps the distance between scores that rank fusion threw away', () => {
    // Nearly tied with the best keyword match and much closer in meaning: score fusion puts it first.
    const ranked = rankCandidates([
      { ...base, id: 'best keyword', vectorPart: 0.1, keywordPart: 1 },
      { ...base, id: 'near tie', vectorPart: 0.6, keywordPart: 0.95 },
    ]);
    expect(ranked[0]!.id).toBe('near tie');
  });
  it('explains the parts of the documented formula', () => {
    // Weights 1 : 1, recency 0.01 (half-life 30 days), importance 0.02: the fused parts share 0.97.
    const { score, parts } = scoreCandidate({ ...base, vectorPart: 0.7, keywordPart: 0.4 }, new Date('2026-02-01'));
    expect(parts.semantic).toBeCloseTo(0.97 * 0.7 * 0.5, 12);
    expect(parts.keyword).toBeCloseTo(0.97 * 0.4 * 0.5, 12);
    expect(parts.recency).toBeCloseTo(0.01 * 0.488626, 6); // 31 days old: 2^(-31/30)
    expect(parts.importance).toBeCloseTo(0.02 * 0.5, 12);
    expect(parts.entity).toBe(0);
    expect(score).toBeCloseTo(0.3395 + 0.194 + 0.00488626 + 0.01, 6);
  });
  it('boosts memories whose subject is named in the query', () => {
    const plain = scoreCandidate({ ...base, vectorPart: 0.8, keywordPart: 0.6 }, base.createdAt);
    const named = scoreCandidate({ ...base, vectorPart: 0.8, keywordPart: 0.6, named: true }, base.createdAt);
    expect(named.parts.entity).toBeCloseTo(RANKING.entityBoost * (plain.parts.semantic + plain.parts.keyword), 12);
  });
  it('boosts memories dated inside a period the query names', () => {
    const plain = scoreCandidate({ ...base, vectorPart: 0.8, keywordPart: 0.6 }, base.createdAt);
    const dated = scoreCandidate({ ...base, vectorPart: 0.8, keywordPart: 0.6, inPeriod: true }, base.createdAt);
    expect(dated.parts.temporal).toBeCloseTo(RANKING.temporalBoost * (plain.parts.semantic + plain.parts.keyword), 12);
    expect(plain.parts.temporal).toBe(0);
  });
  it('lifts the memories of the conversation that holds the best match', () => {
    const ranked = rankCandidates([
      { ...base, id: 'best match', conversationId: 'trip', vectorPart: 1, keywordPart: 1 },
      { ...base, id: 'same conversation', conversationId: 'trip', vectorPart: 0.4, keywordPart: 0.3 },
      { ...base, id: 'other conversation', conversationId: 'work', vectorPart: 0.45, keywordPart: 0.35 },
      { ...base, id: 'no conversation', conversationId: null, vectorPart: 0.45, keywordPart: 0.35 },
    ]);
    expect(ranked.map((r) => r.id)).toEqual(['best match', 'same conversation', 'other conversation', 'no conversation']);
    const [best, same, other, alone] = ranked;
    expect(best!.parts.conversation).toBeCloseTo(RANKING.conversationBoost, 12);
    expect(same!.parts.conversation).toBeCloseTo(RANKING.conversationBoost, 12);
    // Its own conversation's best (itself) relative to the best overall; a memory without one counts alone.
    expect(other!.parts.conversation).toBeCloseTo((RANKING.conversationBoost * 0.4) / 1, 6);
    expect(alone!.parts.conversation).toBeCloseTo(other!.parts.conversation, 12);
  });
  it('matches names as whole words', () => {
    expect(nameMatcher("What do Melanie's kids like?")(['Melanie'])).toBe(true);
    expect(nameMatcher('What about Melanies?')(['Melanie'])).toBe(false);
    expect(nameMatcher('Where is New York?')([null, 'new york'])).toBe(true);
  });
});

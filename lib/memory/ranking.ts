/**
 * Final ranking of hybrid candidates. Semantic and keyword parts come from weighted reciprocal rank fusion
 * (normalised so a candidate first in both lists scores 1), then small recency and importance terms:
 *   score = (1 − wr − wi)·rrf + wr·recency + wi·importance,  recency = 2^(−age/halfLife)
 * Age is measured from the newest candidate, so an old conversation is not penalised as a whole.
 */
export const RANKING = {
  vectorWeight: 1.0,
  keywordWeight: 1.0,
  rrfK: 60,
  recencyWeight: 0.05,
  importanceWeight: 0.05,
  recencyHalfLifeDays: 30,
} as const;

export interface Signals {
  similarity: number;
  keywordScore: number;
  vectorRank: number | null;
  keywordRank: number | null;
  createdAt: Date;
  importance: number;
}

export interface ScoreParts {
  semantic: number;
  keyword: number;
  recency: number;
  importance: number;
}

export function scoreCandidate(signals: Signals, newest: Date, weights = RANKING): { score: number; parts: ScoreParts } {
  const maxRrf = (weights.vectorWeight + weights.keywordWeight) / (weights.rrfK + 1);
  const fusedShare = 1 - weights.recencyWeight - weights.importanceWeight;
  const rrf = (rank: number | null, weight: number) => (rank === null ? 0 : weight / (weights.rrfK + rank) / maxRrf);
  const ageDays = Math.max(0, (newest.getTime() - signals.createdAt.getTime()) / 86_400_000);
  const parts: ScoreParts = {
    semantic: fusedShare * rrf(signals.vectorRank, weights.vectorWeight),
    keyword: fusedShare * rrf(signals.keywordRank, weights.keywordWeight),
    recency: weights.recencyWeight * Math.pow(2, -ageDays / weights.recencyHalfLifeDays),
    importance: weights.importanceWeight * Math.min(1, Math.max(0, signals.importance)),
  };
  return { score: parts.semantic + parts.keyword + parts.recency + parts.importance, parts };
}

export function rankCandidates<T extends Signals>(candidates: T[], weights = RANKING): (T & { score: number; parts: ScoreParts })[] {
  if (candidates.length === 0) return [];
  const newest = new Date(Math.max(...candidates.map((c) => c.createdAt.getTime())));
  return candidates
    .map((candidate) => ({ ...candidate, ...scoreCandidate(candidate, newest, weights) }))
    .sort((a, b) => b.score - a.score);
}

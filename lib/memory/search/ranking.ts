/**
 * Final ranking of hybrid candidates. Semantic (vector) and keyword (BM25) parts come from score fusion in
 * hybrid_match_memories (migration 0012): each list's score scaled to 0..1 over the end user's memories (cosine:
 * 1 − distance from the nearest / max(spread, 0.25); BM25 over the best BM25 score) and averaged with the weights
 * below, so a candidate best in both lists has fused 1. A memory whose subject is named in the query gets
 * `entityBoost` times its fused part on top — the subject of a conversation turn is its speaker (the names a turn
 * mentions are often only the person addressed: "Thanks, Melanie! I painted this…" is Caroline's), of a memory
 * without a speaker the entities it names — and one dated inside a period the query names ("in August
 * 2023", "on 3 June, 2023", "yesterday": lib/memory/temporal.ts), or whose text dates what it tells of inside it ("last
 * week", relative to when it was said), `temporalBoost` times. The conversation a memory
 * came from counts too: every candidate gets `conversationBoost` times the relevance of the best candidate of its own
 * conversation, relative to the best candidate overall (a memory with no conversation is a conversation of one), so
 * the turns around a strong match rise with it. Recency and importance are tie-breakers:
 *   relevance = (1 − wr − wi)·fused·(1 + entityBoost·named + temporalBoost·inPeriod)
 *   score = relevance + conversationBoost·(best relevance in its conversation / best relevance)
 *           + wr·2^(−age/halfLife) + wi·importance
 * Age is measured from the newest candidate, so an old conversation is not penalised as a whole.
 * Weights chosen on LoCoMo with `npm run eval:tune`.
 */
export const RANKING = {
  /** Candidates taken from each list (vector, BM25) before the final ranking; at least 3 × the requested limit. */
  candidateCount: 200,
  vectorWeight: 1.0,
  keywordWeight: 1.0,
  /** BM25 term saturation and length normalisation; words of a memory's context count `contextWeight`. */
  bm25K1: 1.2,
  bm25B: 0.75,
  contextWeight: 0.3,
  entityBoost: 0.5,
  temporalBoost: 1.0,
  conversationBoost: 0.4,
  recencyWeight: 0.01,
  importanceWeight: 0.02,
  recencyHalfLifeDays: 30,
} as const;

export type RankingWeights = { readonly [K in keyof typeof RANKING]: number };

/**
 * The ranking constants hybrid_match_memories takes, as named arguments starting at placeholder $first: the SQL
 * function has no say in them (its defaults only serve callers of `supabase.rpc`, and a test keeps them equal).
 */
export function rankingSqlArgs(first: number, weights: RankingWeights = RANKING): { sql: string; params: number[] } {
  const args: [string, number][] = [
    ['p_candidate_count', weights.candidateCount],
    ['p_vector_weight', weights.vectorWeight],
    ['p_keyword_weight', weights.keywordWeight],
    ['p_k1', weights.bm25K1],
    ['p_b', weights.bm25B],
    ['p_context_weight', weights.contextWeight],
  ];
  return { sql: args.map(([name], i) => `${name} => $${first + i}`).join(', '), params: args.map(([, value]) => value) };
}

export interface Signals {
  similarity: number;
  keywordScore: number;
  /** The vector list's score scaled to 0..1 over the end user's memories (hybrid_match_memories.vector_part). */
  vectorPart: number;
  /** BM25 over the best BM25 score of the query, 0..1 (hybrid_match_memories.keyword_part). */
  keywordPart: number;
  createdAt: Date;
  importance: number;
  /** The memory's subject (its speaker; without one, its entities) is named in the query. */
  named?: boolean;
  /** The memory is dated (created_at), or its text dates what it tells of (datesNamedIn), inside a period the query names. */
  inPeriod?: boolean;
  /** The conversation the memory came from (ingest, chat); null for a memory stored on its own. */
  conversationId?: string | null;
}

export interface ScoreParts {
  semantic: number;
  keyword: number;
  entity: number;
  temporal: number;
  conversation: number;
  recency: number;
  importance: number;
}

export function scoreCandidate(signals: Signals, newest: Date, weights = RANKING): { score: number; parts: ScoreParts } {
  const fusedShare = 1 - weights.recencyWeight - weights.importanceWeight;
  const total = weights.vectorWeight + weights.keywordWeight || 1;
  const ageDays = Math.max(0, (newest.getTime() - signals.createdAt.getTime()) / 86_400_000);
  const semantic = (fusedShare * weights.vectorWeight * signals.vectorPart) / total;
  const keyword = (fusedShare * weights.keywordWeight * signals.keywordPart) / total;
  const parts: ScoreParts = {
    semantic,
    keyword,
    entity: signals.named ? weights.entityBoost * (semantic + keyword) : 0,
    temporal: signals.inPeriod ? weights.temporalBoost * (semantic + keyword) : 0,
    conversation: 0,
    recency: weights.recencyWeight * Math.pow(2, -ageDays / weights.recencyHalfLifeDays),
    importance: weights.importanceWeight * Math.min(1, Math.max(0, signals.importance)),
  };
  return { score: sumParts(parts), parts };
}

const relevanceOf = (parts: ScoreParts) => parts.semantic + parts.keyword + parts.entity + parts.temporal;
const sumParts = (parts: ScoreParts) => relevanceOf(parts) + parts.conversation + parts.recency + parts.importance;

export function rankCandidates<T extends Signals>(candidates: T[], weights = RANKING): (T & { score: number; parts: ScoreParts })[] {
  if (candidates.length === 0) return [];
  const newest = new Date(Math.max(...candidates.map((c) => c.createdAt.getTime())));
  const scored = candidates.map((candidate) => ({ ...candidate, ...scoreCandidate(candidate, newest, weights) }));
  const bestOfConversation = new Map<string, number>();
  for (const candidate of scored) {
    if (!candidate.conversationId) continue;
    bestOfConversation.set(candidate.conversationId, Math.max(bestOfConversation.get(candidate.conversationId) ?? 0, relevanceOf(candidate.parts)));
  }
  const best = Math.max(...scored.map((candidate) => relevanceOf(candidate.parts)));
  if (best > 0) {
    for (const candidate of scored) {
      const conversationBest = candidate.conversationId ? bestOfConversation.get(candidate.conversationId)! : relevanceOf(candidate.parts);
      candidate.parts.conversation = (weights.conversationBoost * conversationBest) / best;
      candidate.score = sumParts(candidate.parts);
    }
  }
  return scored.sort((a, b) => b.score - a.score);
}

const normalizeWords = (text: string) => text.toLowerCase().replace(/[^\p{L}\p{N}\s]/gu, ' ').replace(/\s+/g, ' ').trim();

/**
 * Whether any of the names (speaker, entities) appears in the query as a whole word, case-insensitively. The query is
 * normalised once and the returned test is applied to every candidate.
 */
export function nameMatcher(query: string): (names: (string | null | undefined)[]) => boolean {
  const normalized = ` ${normalizeWords(query)} `;
  return (names) =>
    names.some((name) => {
      const needle = name ? normalizeWords(name) : '';
      return needle.length > 1 && normalized.includes(` ${needle} `);
    });
}

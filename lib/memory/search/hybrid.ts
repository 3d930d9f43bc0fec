import type { Ctx } from '@/lib/core/context';
import { toVectorLiteral } from '@/lib/db';
import { embedOrFail } from '@/lib/embeddings/embed-or-fail';
import { MEMORY_COLUMNS, type MemoryRow } from '@/lib/memory/records/row';
import { nameMatcher, RANKING, rankCandidates, rankingSqlArgs, type ScoreParts } from './ranking';
import { datesNamedIn, inPeriods, periodsInQuery, type Period } from './temporal';
import { passesThreshold } from './threshold';

export interface HybridQuery {
  endUserId: string;
  text: string;
  limit: number;
  agentId?: string;
  categories?: string[];
  metadata?: Record<string, unknown>;
  /** The query's embedding when the caller already has it (chat stores it with the message). */
  embedding?: number[];
  /** Only memories this close to the query (cosine), with the keyword relief of `passesThreshold`; none by default. */
  similarityThreshold?: number;
}

export interface RankedMemory {
  id: string;
  content: string;
  category: string | null;
  metadata: Record<string, unknown>;
  agentId: string | null;
  createdAt: Date;
  /** The memory's own cosine similarity to the query. */
  similarity: number;
  /** The ranking score (see ranking.ts), with each signal's part. */
  score: number;
  parts: ScoreParts;
  row: MemoryRow;
}

interface CandidateRow extends MemoryRow {
  similarity: number;
  keyword_score: number;
  vector_part: number;
  keyword_part: number;
  /** Who the memory is about: its speaker when it was said by one (ingest), else the entities it names. */
  subjects: string[];
}

/** Hybrid retrieval (hybrid_match_memories: BM25 and vector scores fused) plus the final ranking with entities, time, conversation, recency and importance. */
export async function hybridSearch(ctx: Ctx, query: HybridQuery): Promise<RankedMemory[]> {
  const embedding = query.embedding ?? (await embedOrFail(ctx, [query.text], { purpose: 'query' }))[0]!;
  // Candidates of each list (vector, BM25), all of them returned for the final ranking below.
  const candidates = Math.max(RANKING.candidateCount, query.limit * 3);
  const ranking = rankingSqlArgs(10, { ...RANKING, candidateCount: candidates });
  const threshold = query.similarityThreshold ?? -1;
  const rows = await ctx.db.query<CandidateRow>(
    `select ${MEMORY_COLUMNS}, h.similarity, h.keyword_score, h.vector_part, h.keyword_part,
            case when m.speaker is not null then array[m.speaker]
                 else coalesce((select array_agg(e.name) from memory_entities me join entities e on e.id = me.entity_id
                                where me.memory_id = m.id and e.type <> 'user'), '{}') end as subjects
     from hybrid_match_memories(p_account_id => $1, p_end_user_id => $2, p_query_text => $3, p_query_embedding => $4::vector,
                                p_agent_id => $5, p_categories => $6, p_metadata => $7::jsonb, p_min_similarity => $8,
                                p_match_count => $9, ${ranking.sql}) h
     join memories m on m.id = h.id`,
    [
      ctx.account.id,
      query.endUserId,
      query.text,
      toVectorLiteral(embedding),
      query.agentId ?? null,
      query.categories ?? null,
      query.metadata ? JSON.stringify(query.metadata) : null,
      // The SQL function lets every keyword match through; passesThreshold bounds them below.
      threshold,
      candidates,
      ...ranking.params,
    ],
  );
  const periods = periodsInQuery(query.text, ctx.now());
  const namedInQuery = nameMatcher(query.text);
  const signals = rows.map((row) => {
    const createdAt = new Date(row.created_at);
    return {
      row,
      similarity: Number(row.similarity),
      keywordScore: Number(row.keyword_score),
      vectorPart: Number(row.vector_part),
      keywordPart: Number(row.keyword_part),
      createdAt,
      importance: Number(row.importance),
      named: namedInQuery(row.subjects),
      conversationId: row.conversation_id,
      inPeriod: inPeriods(createdAt, periods),
    };
  });
  const ranked = rankCandidates(periods.length > 0 ? withDatedEvents(signals, periods) : signals);
  return ranked
    .filter((candidate) => passesThreshold(candidate.similarity, candidate.keywordScore > 0, threshold))
    .slice(0, query.limit)
    .map(({ row, createdAt, similarity, score, parts }) => {
      const { similarity: _s, keyword_score: _k, vector_part: _v, keyword_part: _p, subjects: _subjects, ...memory } = row; // eslint-disable-line @typescript-eslint/no-unused-vars
      return { id: row.id, content: row.content, category: row.category, metadata: row.metadata, agentId: row.agent_id, createdAt, similarity, score, parts, row: memory };
    });
}

/** How many of the best candidates (by their fused part) have the dates in their text read (chrono-node is ~0.2 ms a text). */
const DATED_CANDIDATES = 50;

/**
 * For a query that names a period: a memory also counts as inside it when its text dates what it tells of inside it,
 * relative to when it was said ("I went camping last week", said on 2 June, is about 26 May). Read for the best
 * DATED_CANDIDATES by fused part only; the others could not reach the top with the temporal part anyway.
 */
function withDatedEvents<T extends { row: MemoryRow; createdAt: Date; vectorPart: number; keywordPart: number; inPeriod: boolean }>(signals: T[], periods: Period[]): T[] {
  const best = [...signals].sort((a, b) => b.vectorPart + b.keywordPart - (a.vectorPart + a.keywordPart)).slice(0, DATED_CANDIDATES);
  const dated = new Set(best.filter((c) => !c.inPeriod && datesNamedIn(c.row.content, c.createdAt).some((date) => inPeriods(date, periods))));
  return signals.map((c) => (dated.has(c) ? { ...c, inPeriod: true } : c));
}

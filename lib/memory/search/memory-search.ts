import type { Ctx } from '@/lib/core/context';
import { agentScopeOf } from '@/lib/core/access';
import { toVectorLiteral } from '@/lib/db';
import { embedOrFail } from '@/lib/embeddings/embed-or-fail';
import { recordReadSoon } from '@/lib/memory/records/access';
import { combinedScore } from '@/lib/memory/records/importance';
import { MEMORY_COLUMNS, type MemoryRow } from '@/lib/memory/records/row';
import { roundScore, toMemoryView } from '@/lib/memory/records/views';
import type { SearchMemoriesInput } from '@/lib/schemas/memory';
import { explainScore } from './explain';
import { hybridSearch } from './hybrid';

type MatchRow = MemoryRow & { similarity: number; combined_score: number };

/**
 * The reference's pure cosine ranking (`mode: "semantic"`): match_memories, an exact scan of the end user's memories
 * ordered by combined_score = 0.7·similarity + 0.3·importance and filtered by the threshold on similarity.
 */
async function semanticSearch(ctx: Ctx, input: SearchMemoriesInput) {
  const [embedding] = await embedOrFail(ctx, [input.query], { purpose: 'query' });
  const rows = await ctx.db.query<MatchRow>(
    `select ${MEMORY_COLUMNS}, r.similarity, r.combined_score
     from match_memories(p_account_id => $1, p_end_user_id => $2, p_query_embedding => $3::vector, p_match_threshold => $4,
                         p_match_count => $5, p_agent_id => $6) r
     join memories m on m.id = r.id
     order by r.combined_score desc, r.similarity desc, r.id`,
    [ctx.account.id, input.external_user_id, toVectorLiteral(embedding!), input.similarity_threshold, input.limit, agentScopeOf(ctx.caller) ?? null],
  );
  return rows.map((row) => {
    const similarity = Number(row.similarity);
    const combined = Number(row.combined_score);
    return { row, similarity, combined, score: combined, explain: undefined };
  });
}

/**
 * POST|GET /v1/memory/search. By default the best ranking we have (hybrid: vector and BM25 fused, entities, time,
 * conversation, recency; `similarity_threshold` as passesThreshold says); `mode: "semantic"` is the reference's pure
 * cosine ranking. Either way `similarity` is the cosine and `combined_score` the reference's 0.7·similarity +
 * 0.3·importance; `score` is what the results are ranked by.
 */
export async function searchMemories({ ctx, input }: { ctx: Ctx; input: SearchMemoriesInput }) {
  const results =
    input.mode === 'semantic'
      ? await semanticSearch(ctx, input)
      : (
          await hybridSearch(ctx, {
            endUserId: input.external_user_id,
            text: input.query,
            limit: input.limit,
            agentId: agentScopeOf(ctx.caller),
            similarityThreshold: input.similarity_threshold,
          })
        ).map((result) => ({
          row: result.row,
          similarity: result.similarity,
          combined: combinedScore(result.similarity, Number(result.row.importance)),
          score: result.score,
          explain: input.explain ? explainScore(result) : undefined,
        }));
  recordReadSoon(ctx, results.map((result) => result.row.id));
  return {
    results: results.map((result) => ({
      memory: toMemoryView(result.row),
      similarity: roundScore(result.similarity),
      combined_score: roundScore(result.combined),
      score: roundScore(result.score),
      ...(result.explain ? { explain: result.explain } : {}),
    })),
    total_count: results.length,
    query: input.query,
    similarity_threshold: input.similarity_threshold,
    mode: input.mode,
  };
}

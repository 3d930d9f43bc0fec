import type { Ctx } from '@/lib/core/context';
import type { AccountSearchInput } from '@/lib/schemas/dashboard';
import { agentScopeOf } from '@/lib/core/access';
import { toVectorLiteral } from '@/lib/db';
import { embedOrFail } from '@/lib/embeddings/embed-or-fail';
import { combinedScore } from '@/lib/memory/records/importance';
import { ACTIVE, MEMORY_COLUMNS, type MemoryRow } from '@/lib/memory/records/row';
import { roundScore, toMemoryView } from '@/lib/memory/records/views';
import { recordReadSoon } from '@/lib/memory/records/access';

/** Dimensions with an HNSW index (migrations 0010, 0024); other models search account-wide by exact scan. */
export const HNSW_DIMENSIONS = [384, 512, 768, 1536] as const;
/** Candidates HNSW keeps per step; iterative scans continue past it until `limit` rows pass the filters. */
const EF_SEARCH = 100;

/**
 * Semantic search across every end user of the account (dashboard). HNSW with pgvector's iterative scans by
 * default — approximate, fast at any size, and filters (archived, superseded, other accounts) cannot starve the
 * result list; `exact: true` scans every row instead.
 */
export async function searchAccount({ ctx, input }: { ctx: Ctx; input: AccountSearchInput }) {
  const [embedding] = await embedOrFail(ctx, [input.query], { purpose: 'query' });
  const dims = ctx.embedder.dimensions;
  const useIndex = !input.exact && (HNSW_DIMENSIONS as readonly number[]).includes(dims);
  // The dimension is one of our own integers, never input: the planner needs it literal to match the index.
  const distance = useIndex ? `m.embedding::vector(${dims}) <=> $2::vector(${dims})` : 'm.embedding <=> $2::vector';
  const rows = await ctx.db.transaction(async (tx) => {
    if (useIndex) await tx.query(`select set_config('hnsw.iterative_scan', 'relaxed_order', true), set_config('hnsw.ef_search', '${EF_SEARCH}', true)`);
    return tx.query<MemoryRow & { similarity: number }>(
      `select * from (
         select ${MEMORY_COLUMNS}, 1 - (${distance}) as similarity
         from memories m
         where m.account_id = $1 and ${ACTIVE} and m.embedding is not null
           ${useIndex ? `and vector_dims(m.embedding) = ${dims}` : ''}
           and ($5::text is null or m.agent_id = $5)
         order by ${distance}
         limit $3
       ) r
       where r.similarity >= $4
       order by r.similarity desc, r.id`,
      [ctx.account.id, toVectorLiteral(embedding!), input.limit, input.similarity_threshold, agentScopeOf(ctx.caller) ?? null],
    );
  });
  recordReadSoon(ctx, rows.map((row) => row.id));
  return {
    results: rows.map((row) => {
      const similarity = Number(row.similarity);
      // Ranked by similarity alone: across end users there is no per-user ranking to fuse with.
      return { memory: toMemoryView(row), similarity: roundScore(similarity), combined_score: roundScore(combinedScore(similarity, Number(row.importance))), score: roundScore(similarity) };
    }),
    total_count: rows.length,
    query: input.query,
    similarity_threshold: input.similarity_threshold,
    mode: useIndex ? ('hnsw' as const) : ('exact' as const),
  };
}

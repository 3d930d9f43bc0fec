import type { Ctx } from '@/lib/core/context';
import type { SearchMemoriesInput } from '@/lib/schemas/memory';
import { agentScopeOf } from '@/lib/core/access';
import { toVectorLiteral } from '@/lib/db';
import { embedOrFail } from '@/lib/embeddings/embed-or-fail';
import { recordAccessSoon } from '@/lib/memory/records/access';
import { MEMORY_COLUMNS, type MemoryRow } from '@/lib/memory/records/row';
import { roundScore, toMemoryView } from '@/lib/memory/records/views';

type MatchRow = MemoryRow & { similarity: number; combined_score: number };

/** Semantic search inside one end user's memories through match_memories (exact: it never misses a row). */
export async function searchMemories({ ctx, input }: { ctx: Ctx; input: SearchMemoriesInput }) {
  const [embedding] = await embedOrFail(ctx, [input.query]);
  const rows = await ctx.db.query<MatchRow>(
    `select ${MEMORY_COLUMNS}, r.similarity, r.combined_score
     from match_memories($1, $2, $3::vector, $4, $5, $6) r join memories m on m.id = r.id
     order by r.combined_score desc, r.similarity desc, r.id`,
    [ctx.account.id, input.external_user_id, toVectorLiteral(embedding!), input.similarity_threshold, input.limit, agentScopeOf(ctx.caller) ?? null],
  );
  recordAccessSoon(ctx, rows.map((row) => row.id));
  return {
    results: rows.map((row) => ({
      memory: toMemoryView(row),
      similarity: roundScore(Number(row.similarity)),
      combined_score: roundScore(Number(row.combined_score)),
    })),
    total_count: rows.length,
    query: input.query,
    similarity_threshold: input.similarity_threshold,
  };
}

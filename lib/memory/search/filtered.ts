import type { Ctx } from '@/lib/core/context';
import type { FilteredSearchInput } from '@/lib/schemas/conversation';
import { resolveAgent } from '@/lib/core/access';
import { explainScore } from './explain';
import { hybridSearch } from './hybrid';
import { recordReadSoon } from '@/lib/memory/records/access';
import { roundScore } from '@/lib/memory/records/views';

/** POST /v1/search: hybrid search with category, metadata and agent filters; `explain` shows each signal's part. */
export async function searchWithFilters({ ctx, input }: { ctx: Ctx; input: FilteredSearchInput }) {
  const results = await hybridSearch(ctx, {
    endUserId: input.userId,
    text: input.query,
    limit: input.limit,
    agentId: resolveAgent(ctx, input.agentId),
    categories: input.categories,
    metadata: input.metadata,
  });
  recordReadSoon(ctx, results.map((r) => r.id));
  return {
    memories: results.map((result) => ({
      id: result.id,
      content: result.content,
      category: result.category ?? 'general',
      score: roundScore(result.score),
      createdAt: result.createdAt.toISOString(),
      agentId: result.agentId,
      metadata: result.metadata,
      ...(input.explain ? { explain: explainScore(result) } : {}),
    })),
    total: results.length,
  };
}

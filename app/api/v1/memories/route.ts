// GET /v1/memories – memories with page/pageSize and filters (userId, agentId, category)
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { listMemoriesPaged } from '@/lib/memory/records/memories';
import { toMemoryDetailView } from '@/lib/memory/records/views';

export const GET = route(OPERATIONS.listMemoriesPaged, async ({ ctx, query }) => {
  const { rows, total } = await listMemoriesPaged({ ctx, input: query });
  return { memories: rows.map(toMemoryDetailView), total, page: query.page, pageSize: query.pageSize };
});

// GET /api/dashboard/memories – the account's memories (optionally one end user's), newest first
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { listMemories } from '@/lib/memory/records/memories';
import { toMemoryView } from '@/lib/memory/records/views';

export const GET = route(OPERATIONS.dashboardMemories, async ({ ctx, query }) => {
  const { rows, total } = await listMemories({ ctx, input: query });
  return { memories: rows.map(toMemoryView), total_count: total, limit: query.limit, offset: query.offset, has_more: query.offset + rows.length < total };
});

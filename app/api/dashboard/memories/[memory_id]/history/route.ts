// GET /api/dashboard/memories/{memory_id}/history – the supersession chain of a memory
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { getMemoryHistory } from '@/lib/memory/records/memories';
import { toMemoryDetailView } from '@/lib/memory/records/views';

export const GET = route(OPERATIONS.dashboardMemoryHistory, async ({ ctx, params }) => {
  const { rows, current } = await getMemoryHistory({ ctx, input: { memoryId: params.memory_id } });
  return { id: params.memory_id, history: rows.map(toMemoryDetailView), current };
});

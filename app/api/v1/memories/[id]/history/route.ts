// GET /v1/memories/{id}/history – the supersession chain the memory belongs to, oldest first
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { getMemoryHistory } from '@/lib/memory/records/memories';
import { toMemoryDetailView } from '@/lib/memory/records/views';

export const GET = route(OPERATIONS.getMemoryHistory, async ({ ctx, params }) => {
  const { rows, current } = await getMemoryHistory({ ctx, input: { memoryId: params.id } });
  return { id: params.id, history: rows.map(toMemoryDetailView), current };
});

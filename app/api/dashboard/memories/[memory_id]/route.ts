// GET, DELETE /api/dashboard/memories/{memory_id} – one memory of the signed-in account
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { deleteMemory, getMemory } from '@/lib/memory/records/memories';
import { toMemoryDetailView } from '@/lib/memory/records/views';

// The detail view: entities, source messages, context, validity and supersession.
export const GET = route(OPERATIONS.dashboardMemory, async ({ ctx, params }) => toMemoryDetailView(await getMemory({ ctx, input: { memoryId: params.memory_id } })));
export const DELETE = route(OPERATIONS.dashboardDeleteMemory, async ({ ctx, params }) => {
  const { id } = await deleteMemory({ ctx, input: { memoryId: params.memory_id } });
  return { status: 'success', id, deleted: true };
});

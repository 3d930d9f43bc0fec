// GET    /v1/memories/{id} – one memory with its entities and last access
// DELETE /v1/memories/{id} – delete it with its entity links and edges
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { deleteMemory, getMemory } from '@/lib/memory/records/memories';
import { toMemoryDetailView } from '@/lib/memory/records/views';

export const GET = route(OPERATIONS.getMemoryDetail, async ({ ctx, params }) => toMemoryDetailView(await getMemory({ ctx, input: { memoryId: params.id } })));
export const DELETE = route(OPERATIONS.deleteMemoryDetail, async ({ ctx, params }) => {
  await deleteMemory({ ctx, input: { memoryId: params.id } });
  return { deleted: true };
});

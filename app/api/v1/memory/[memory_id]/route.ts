// GET    /v1/memory/{memory_id} – one memory
// DELETE /v1/memory/{memory_id} – delete it permanently
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { deleteMemory, getMemory } from '@/lib/memory/records/memories';
import { toMemoryView } from '@/lib/memory/records/views';

export const GET = route(OPERATIONS.getMemory, async ({ ctx, params, query }) =>
  toMemoryView(await getMemory({ ctx, input: { memoryId: params.memory_id, externalUserId: query.external_user_id } })),
);
export const DELETE = route(OPERATIONS.deleteMemory, async ({ ctx, params, query }) => {
  const { id } = await deleteMemory({ ctx, input: { memoryId: params.memory_id, externalUserId: query.external_user_id } });
  return { status: 'success', id, deleted: true };
});

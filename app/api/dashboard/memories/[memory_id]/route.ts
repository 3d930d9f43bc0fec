// GET, DELETE /api/dashboard/memories/{memory_id} – one memory of the signed-in account
import { route } from '@/lib/api/route';
import { MemoryIdParams } from '@/lib/api/schemas/memory';
import { deleteMemory, getMemory } from '@/lib/memory/memories';

export const GET = route({ auth: 'session', params: MemoryIdParams }, ({ ctx, params }) => getMemory({ ctx, input: { memoryId: params.memory_id } }));
export const DELETE = route({ auth: 'session', params: MemoryIdParams }, ({ ctx, params }) =>
  deleteMemory({ ctx, input: { memoryId: params.memory_id } }),
);

// GET, DELETE /api/dashboard/memories/{memory_id} – one memory of the signed-in account
import { route } from '@/lib/api/route';
import { MemoryIdParams } from '@/lib/api/schemas/memory';
import { getConversationMemory } from '@/lib/memory/m3-memories';
import { deleteMemory } from '@/lib/memory/memories';

// The detail view: entities, source messages, context, validity and supersession (the m3mory shape).
export const GET = route({ auth: 'session', params: MemoryIdParams }, ({ ctx, params }) => getConversationMemory({ ctx, input: { id: params.memory_id } }));
export const DELETE = route({ auth: 'session', params: MemoryIdParams }, ({ ctx, params }) =>
  deleteMemory({ ctx, input: { memoryId: params.memory_id } }),
);

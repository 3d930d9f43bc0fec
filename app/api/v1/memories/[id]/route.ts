// GET    /api/v1/memories/{id} – one memory with its entities and last access
// DELETE /api/v1/memories/{id} – delete it with its entity links and edges
import { route } from '@/lib/api/route';
import { M3MemoryIdParams } from '@/lib/api/schemas/m3mory';
import { deleteConversationMemory, getConversationMemory } from '@/lib/memory/m3-memories';

export const GET = route({ auth: 'apiKey', params: M3MemoryIdParams }, ({ ctx, params }) => getConversationMemory({ ctx, input: params }));
export const DELETE = route({ auth: 'apiKey', params: M3MemoryIdParams }, ({ ctx, params }) => deleteConversationMemory({ ctx, input: params }));

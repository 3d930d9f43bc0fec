// GET /api/dashboard/memories/{memory_id}/history – the supersession chain of a memory
import { route } from '@/lib/api/route';
import { MemoryIdParams } from '@/lib/api/schemas/memory';
import { getMemoryHistory } from '@/lib/memory/m3-memories';

export const GET = route({ auth: 'session', params: MemoryIdParams }, ({ ctx, params }) => getMemoryHistory({ ctx, input: { id: params.memory_id } }));

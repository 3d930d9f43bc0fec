// GET /api/v1/memories/{id}/history – the supersession chain the memory belongs to, oldest first
import { route } from '@/lib/api/route';
import { M3MemoryIdParams } from '@/lib/api/schemas/m3mory';
import { getMemoryHistory } from '@/lib/memory/m3-memories';

export const GET = route({ auth: 'apiKey', params: M3MemoryIdParams }, ({ ctx, params }) => getMemoryHistory({ ctx, input: params }));

// POST /api/v1/memory/{memory_id}/restore – bring an archived memory back into search, chat and context
import { route } from '@/lib/api/route';
import { MemoryIdParams } from '@/lib/api/schemas/memory';
import { restoreMemory } from '@/lib/memory/memories';

export const POST = route({ auth: 'apiKey', params: MemoryIdParams }, ({ ctx, params }) => restoreMemory({ ctx, input: { memoryId: params.memory_id } }));

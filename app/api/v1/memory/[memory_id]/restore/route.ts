// POST /v1/memory/{memory_id}/restore – bring an archived memory back into search, chat and context
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { restoreMemory } from '@/lib/memory/records/memories';
import { toMemoryView } from '@/lib/memory/records/views';

export const POST = route(OPERATIONS.restoreMemory, async ({ ctx, params }) => ({ status: 'success', memory: toMemoryView(await restoreMemory({ ctx, input: { memoryId: params.memory_id } })) }));

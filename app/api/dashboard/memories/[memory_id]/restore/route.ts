// POST /api/dashboard/memories/{memory_id}/restore – bring an archived memory back
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { restoreMemory } from '@/lib/memory/records/memories';
import { toMemoryView } from '@/lib/memory/records/views';

export const POST = route(OPERATIONS.dashboardRestoreMemory, async ({ ctx, params }) => ({
  status: 'success',
  memory: toMemoryView(await restoreMemory({ ctx, input: { memoryId: params.memory_id } })),
}));

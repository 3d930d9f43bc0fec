// POST /v1/memory – store a memory for one end user
// GET  /v1/memory – list the account's memories, newest first
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { listMemories } from '@/lib/memory/records/memories';
import { storeMemory } from '@/lib/memory/records/store';
import { toMemoryView } from '@/lib/memory/records/views';

export const POST = route(OPERATIONS.storeMemory, async ({ ctx, body }) => ({ status: 'success', memory: toMemoryView(await storeMemory({ ctx, input: body })) }));
export const GET = route(OPERATIONS.listMemories, async ({ ctx, query }) => {
  const { rows, total } = await listMemories({ ctx, input: query });
  return { memories: rows.map(toMemoryView), total_count: total, limit: query.limit, offset: query.offset, has_more: query.offset + rows.length < total };
});

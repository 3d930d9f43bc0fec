// POST /api/v1/memory – store a memory for one end user
// GET  /api/v1/memory – list the account's memories, newest first
import { route } from '@/lib/api/route';
import { ListMemoriesQuery, StoreMemoryBody } from '@/lib/api/schemas/memory';
import { listMemories } from '@/lib/memory/memories';
import { storeMemory } from '@/lib/memory/store-memory';

export const POST = route({ auth: 'apiKey', body: StoreMemoryBody, status: 201 }, ({ ctx, body }) => storeMemory({ ctx, input: body }));
export const GET = route({ auth: 'apiKey', query: ListMemoriesQuery }, ({ ctx, query }) => listMemories({ ctx, input: query }));

// GET /api/dashboard/memories – the account's memories (optionally one end user's), newest first
import { route } from '@/lib/api/route';
import { ListMemoriesQuery } from '@/lib/api/schemas/memory';
import { listMemories } from '@/lib/memory/memories';

export const GET = route({ auth: 'session', query: ListMemoriesQuery }, ({ ctx, query }) => listMemories({ ctx, input: query }));

// POST /api/dashboard/memories/search – semantic search in one end user's memories, for admins
import { route } from '@/lib/api/route';
import { SearchMemoriesBody } from '@/lib/api/schemas/memory';
import { searchMemories } from '@/lib/memory/search-memories';

export const POST = route({ auth: 'session', body: SearchMemoriesBody }, ({ ctx, body }) => searchMemories({ ctx, input: body }));

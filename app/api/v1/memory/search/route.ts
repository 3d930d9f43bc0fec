// POST /api/v1/memory/search – semantic search in one end user's memories (also as GET with query params)
import { route } from '@/lib/api/route';
import { SearchMemoriesBody, SearchMemoriesQuery } from '@/lib/api/schemas/memory';
import { searchMemories } from '@/lib/memory/search-memories';

export const POST = route({ auth: 'apiKey', body: SearchMemoriesBody, access: 'read' }, ({ ctx, body }) => searchMemories({ ctx, input: body }));
export const GET = route({ auth: 'apiKey', query: SearchMemoriesQuery }, ({ ctx, query }) => searchMemories({ ctx, input: query }));

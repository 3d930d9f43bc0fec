// POST /v1/memory/search – semantic search in one end user's memories (also as GET with query parameters)
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { searchMemories } from '@/lib/memory/search/memory-search';

export const POST = route(OPERATIONS.searchMemories, ({ ctx, body }) => searchMemories({ ctx, input: body }));
export const GET = route(OPERATIONS.searchMemoriesByQuery, ({ ctx, query }) => searchMemories({ ctx, input: query }));

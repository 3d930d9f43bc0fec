// POST /v1/search – hybrid search with categories, metadata and agent filters, and explain
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { searchWithFilters } from '@/lib/memory/search/filtered';

export const POST = route(OPERATIONS.searchWithFilters, ({ ctx, body }) => searchWithFilters({ ctx, input: body }));

// POST /api/dashboard/search – the Playground: /v1/search (hybrid, filters) with each signal's part of the score
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { searchWithFilters } from '@/lib/memory/search/filtered';

export const POST = route(OPERATIONS.dashboardExplainSearch, ({ ctx, body }) => searchWithFilters({ ctx, input: body }));

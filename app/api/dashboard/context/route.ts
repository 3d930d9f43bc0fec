// POST /api/dashboard/context – the Playground: /v1/context within a token budget, with what the budget left out
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { previewContext } from '@/lib/memory/context/preview';

export const POST = route(OPERATIONS.dashboardContext, ({ ctx, body }) => previewContext({ ctx, input: body }));

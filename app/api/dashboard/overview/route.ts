// GET /api/dashboard/overview – the signed-in account's plan, usage and memory totals
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { getMemoryStats } from '@/lib/memory/records/stats';

export const GET = route(OPERATIONS.dashboardOverview, ({ ctx }) => getMemoryStats({ ctx, input: {} }));

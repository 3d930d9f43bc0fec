// GET /api/dashboard/overview – the signed-in account's plan, usage and memory totals
import { route } from '@/lib/api/route';
import { getMemoryStats } from '@/lib/memory/memory-stats';

export const GET = route({ auth: 'session' }, ({ ctx }) => getMemoryStats({ ctx, input: {} }));

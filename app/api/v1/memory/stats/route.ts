// GET /v1/memory/stats – aggregate statistics and usage for the account (or one end user)
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { getMemoryStats } from '@/lib/memory/records/stats';

export const GET = route(OPERATIONS.getMemoryStats, ({ ctx, query }) => getMemoryStats({ ctx, input: query }));

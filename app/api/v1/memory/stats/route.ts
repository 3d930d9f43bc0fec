// GET /api/v1/memory/stats – aggregate statistics and usage for the account (or one end user)
import { route } from '@/lib/api/route';
import { ScopeQuery } from '@/lib/api/schemas/memory';
import { getMemoryStats } from '@/lib/memory/memory-stats';

export const GET = route({ auth: 'apiKey', query: ScopeQuery }, ({ ctx, query }) => getMemoryStats({ ctx, input: query }));

// GET /api/v1/export – the account's (or one end user's) memories as streamed JSON Lines
import { route } from '@/lib/api/route';
import { ScopeQuery } from '@/lib/api/schemas/memory';
import { exportMemories } from '@/lib/memory/export-import';

export const GET = route({ auth: 'apiKey', query: ScopeQuery }, async ({ ctx, query }) => exportMemories({ ctx, input: query }));

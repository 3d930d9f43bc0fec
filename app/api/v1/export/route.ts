// GET /v1/export – the account's (or one end user's) memories as streamed JSON Lines
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { exportMemories } from '@/lib/memory/portability/export';

export const GET = route(OPERATIONS.exportMemories, async ({ ctx, query }) => exportMemories({ ctx, input: query }));

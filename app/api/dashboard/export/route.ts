// GET /api/dashboard/export – the account's (or one end user's) memories as streamed JSON Lines, for download
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { exportMemories } from '@/lib/memory/portability/export';

export const GET = route(OPERATIONS.dashboardExport, async ({ ctx, query }) => exportMemories({ ctx, input: query }));

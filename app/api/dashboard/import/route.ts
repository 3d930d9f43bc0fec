// POST /api/dashboard/import – JSON Lines from an export back in (the dashboard's upload)
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { importMemories } from '@/lib/memory/portability/import';

export const POST = route(OPERATIONS.dashboardImport, ({ ctx, body }) => importMemories({ ctx, input: { text: body } }));

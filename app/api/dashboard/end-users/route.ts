// GET /api/dashboard/end-users – the account's end users with memory counts (searchable, paginated)
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { listEndUsers } from '@/lib/memory/records/end-users';

export const GET = route(OPERATIONS.dashboardEndUsers, ({ ctx, query }) => listEndUsers({ ctx, input: query }));

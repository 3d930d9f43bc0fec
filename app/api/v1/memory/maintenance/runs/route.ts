// GET /v1/memory/maintenance/runs – the account's maintenance runs, newest first
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { listRuns } from '@/lib/memory/maintenance/runs';

export const GET = route(OPERATIONS.listMaintenanceRuns, ({ ctx, query }) => listRuns(ctx.db, { accountId: ctx.account.id, ...query }));

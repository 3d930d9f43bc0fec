// GET /api/dashboard/maintenance-runs – the account's maintenance runs, newest first
import { route } from '@/lib/api/route';
import { RunsQuery } from '@/lib/api/schemas/maintenance';
import { listRuns } from '@/lib/memory/maintenance/runs';

export const GET = route({ auth: 'session', query: RunsQuery }, ({ ctx, query }) => listRuns(ctx.db, { accountId: ctx.account.id, ...query }));

// GET /v1/memory/maintenance/runs – the account's maintenance runs, newest first
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { listMaintenanceRuns } from '@/lib/memory/maintenance/runs';

export const GET = route(OPERATIONS.listMaintenanceRuns, ({ ctx, query }) => listMaintenanceRuns({ ctx, input: query }));

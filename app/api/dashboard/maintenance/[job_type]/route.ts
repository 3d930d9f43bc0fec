// POST /api/dashboard/maintenance/{job_type} – run a maintenance job; the dashboard polls the runs list for its progress
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { runMaintenance } from '@/lib/memory/maintenance/jobs';

export const POST = route(OPERATIONS.dashboardRunMaintenance, ({ ctx, params, query }) =>
  runMaintenance({ ctx, input: { jobType: params.job_type, trigger: 'dashboard', endUserId: query.external_user_id }, waitMs: query.wait * 1_000 }),
);

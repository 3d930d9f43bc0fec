// POST /v1/memory/maintenance/{job_type} – run pruning, summarization, link-optimization, importance-recalculation or all
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { runMaintenance } from '@/lib/memory/maintenance/jobs';

export const POST = route(OPERATIONS.runMaintenance, ({ ctx, params, query }) =>
  runMaintenance({ ctx, input: { jobType: params.job_type, trigger: 'api', endUserId: query.external_user_id }, waitMs: query.wait * 1_000 }),
);

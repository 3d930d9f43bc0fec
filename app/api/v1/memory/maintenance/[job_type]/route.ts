// POST /api/v1/memory/maintenance/{job_type} – run pruning, summarization, link-optimization, importance-recalculation or all
import { route } from '@/lib/api/route';
import { JobTypeParams, UserScopeQuery } from '@/lib/api/schemas/maintenance';
import { runMaintenance } from '@/lib/memory/maintenance/jobs';

export const POST = route({ auth: 'apiKey', params: JobTypeParams, query: UserScopeQuery }, ({ ctx, params, query }) =>
  runMaintenance({ ctx, input: { jobType: params.job_type, trigger: 'api', endUserId: query.external_user_id } }),
);

// POST /api/v1/memory/summarize – cluster related memories per end user and keep one summary per cluster
import { route } from '@/lib/api/route';
import { UserScopeQuery } from '@/lib/api/schemas/maintenance';
import { runMaintenance } from '@/lib/memory/maintenance/jobs';

export const POST = route({ auth: 'apiKey', query: UserScopeQuery }, ({ ctx, query }) =>
  runMaintenance({ ctx, input: { jobType: 'summarization', trigger: 'api', endUserId: query.external_user_id } }),
);

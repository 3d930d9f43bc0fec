// POST /v1/memory/summarize – cluster related memories per end user and keep one summary per cluster
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { runMaintenance } from '@/lib/memory/maintenance/jobs';

export const POST = route(OPERATIONS.summarizeMemories, ({ ctx, query }) =>
  runMaintenance({ ctx, input: { jobType: 'summarization', trigger: 'api', endUserId: query.external_user_id }, waitMs: query.wait * 1_000 }),
);

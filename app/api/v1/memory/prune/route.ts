// POST /v1/memory/prune – archive (or delete) old, unimportant or surplus memories; dry_run previews
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { pruneMemories } from '@/lib/memory/maintenance/prune';

export const POST = route(OPERATIONS.pruneMemories, ({ ctx, query }) => pruneMemories({ ctx, input: query }));

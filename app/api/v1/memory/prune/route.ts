// POST /api/v1/memory/prune – archive (or delete) old, unimportant or surplus memories; dry_run previews
import { route } from '@/lib/api/route';
import { PruneQuery } from '@/lib/api/schemas/maintenance';
import { pruneMemories } from '@/lib/memory/maintenance/prune';

export const POST = route({ auth: 'apiKey', query: PruneQuery }, ({ ctx, query }) => pruneMemories({ ctx, input: query }));

// POST /api/dashboard/memories/search – semantic search for admins: in one end user's memories (exact), or without
// external_user_id across every end user of the account (HNSW with iterative scans; `exact: true` for a full scan)
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { searchAccount } from '@/lib/memory/search/account-wide';
import { searchMemories } from '@/lib/memory/search/memory-search';

export const POST = route(OPERATIONS.dashboardSearch, ({ ctx, body }) => {
  const { external_user_id: endUser, ...rest } = body;
  return endUser ? searchMemories({ ctx, input: { ...rest, external_user_id: endUser } }) : searchAccount({ ctx, input: body });
});

// POST /api/dashboard/memories/search – semantic search for admins: in one end user's memories (exact), or without
// external_user_id across every end user of the account (HNSW with iterative scans; `exact: true` for a full scan)
import { route } from '@/lib/api/route';
import { DashboardSearchBody } from '@/lib/api/schemas/dashboard';
import { searchAccount } from '@/lib/memory/account-search';
import { searchMemories } from '@/lib/memory/search-memories';

export const POST = route({ auth: 'session', body: DashboardSearchBody }, ({ ctx, body }) => {
  const { external_user_id: endUser, ...rest } = body;
  return endUser ? searchMemories({ ctx, input: { ...rest, external_user_id: endUser } }) : searchAccount({ ctx, input: body });
});

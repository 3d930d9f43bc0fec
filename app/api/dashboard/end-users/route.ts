// GET /api/dashboard/end-users – the account's end users with memory counts (searchable, paginated)
import { route } from '@/lib/api/route';
import { EndUsersQuery } from '@/lib/api/schemas/dashboard';
import { listEndUsers } from '@/lib/memory/end-users';

export const GET = route({ auth: 'session', query: EndUsersQuery }, ({ ctx, query }) => listEndUsers({ ctx, input: query }));

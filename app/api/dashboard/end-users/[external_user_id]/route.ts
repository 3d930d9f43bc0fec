// DELETE /api/dashboard/end-users/{external_user_id} – delete everything of one end user, with counts
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { eraseEndUser } from '@/lib/memory/portability/erase-end-user';

export const DELETE = route(OPERATIONS.dashboardEraseEndUser, ({ ctx, params }) => eraseEndUser({ ctx, input: { externalUserId: params.external_user_id } }));

// DELETE /v1/users/{external_user_id} – delete everything of one end user, with a receipt of counts
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { eraseEndUser } from '@/lib/memory/portability/erase-end-user';

export const DELETE = route(OPERATIONS.eraseEndUser, ({ ctx, params }) => eraseEndUser({ ctx, input: { externalUserId: params.external_user_id } }));

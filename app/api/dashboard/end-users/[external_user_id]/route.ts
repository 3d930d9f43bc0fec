// DELETE /api/dashboard/end-users/{external_user_id} – delete everything of one end user, with counts
import { route } from '@/lib/api/route';
import { EndUserParams } from '@/lib/api/schemas/dashboard';
import { deleteEndUser } from '@/lib/memory/end-users';

export const DELETE = route({ auth: 'session', params: EndUserParams }, ({ ctx, params }) =>
  deleteEndUser({ ctx, input: { externalUserId: params.external_user_id } }),
);

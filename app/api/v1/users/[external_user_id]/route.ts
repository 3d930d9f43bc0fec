// DELETE /api/v1/users/{external_user_id} – delete everything of one end user, with a receipt of counts
import { route } from '@/lib/api/route';
import { EndUserPathParams } from '@/lib/api/schemas/m3mory';
import { deleteEndUser } from '@/lib/memory/end-users';

export const DELETE = route({ auth: 'apiKey', params: EndUserPathParams }, ({ ctx, params }) =>
  deleteEndUser({ ctx, input: { externalUserId: params.external_user_id } }),
);

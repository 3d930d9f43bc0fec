// POST /api/v1/keys/{key_id}/revoke – revoke a key; it gets 401 from the next request on
import { route } from '@/lib/api/route';
import { KeyIdParams } from '@/lib/api/schemas/keys';
import { revokeApiKey } from '@/lib/auth/api-keys';

export const POST = route({ auth: 'session', params: KeyIdParams }, async ({ ctx, params }) => ({
  status: 'success',
  key: await revokeApiKey(ctx.db, { accountId: ctx.account.id, keyId: params.key_id, now: ctx.now() }),
}));

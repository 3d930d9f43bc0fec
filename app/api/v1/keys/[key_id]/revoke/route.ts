// POST /v1/keys/{key_id}/revoke – revoke a key; it gets 401 from the next request on
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { revokeApiKey } from '@/lib/auth/api-keys';

export const POST = route(OPERATIONS.revokeApiKey, async ({ ctx, params }) => ({
  status: 'success',
  key: await revokeApiKey(ctx.db, { accountId: ctx.account.id, keyId: params.key_id, now: ctx.now() }),
}));

// POST /v1/keys – create an API key (the full key is returned once); GET – list keys, masked
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { createApiKey, listApiKeys } from '@/lib/auth/api-keys';
import { sessionUserId } from '@/lib/core/context';

export const POST = route(OPERATIONS.createApiKey, ({ ctx, body }) =>
  createApiKey(ctx.db, {
    accountId: ctx.account.id,
    createdBy: sessionUserId(ctx),
    name: body.name,
    scopes: [...(body.scopes ?? []), ...(body.agent_id ? [`agent:${body.agent_id}`] : [])],
  }),
);
export const GET = route(OPERATIONS.listApiKeys, async ({ ctx }) => ({ keys: await listApiKeys(ctx.db, ctx.account.id) }));

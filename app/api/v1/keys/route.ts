// POST /api/v1/keys – create an API key (the full key is returned once); GET – list keys, masked
import { route } from '@/lib/api/route';
import { CreateKeyBody } from '@/lib/api/schemas/keys';
import { createApiKey, listApiKeys } from '@/lib/auth/api-keys';
import { sessionUserId } from '@/lib/api/context';

export const POST = route({ auth: 'session', body: CreateKeyBody, status: 201 }, ({ ctx, body }) =>
  createApiKey(ctx.db, {
    accountId: ctx.account.id,
    createdBy: sessionUserId(ctx),
    name: body.name,
    scopes: [...(body.scopes ?? []), ...(body.agent_id ? [`agent:${body.agent_id}`] : [])],
  }),
);
export const GET = route({ auth: 'session' }, async ({ ctx }) => ({ keys: await listApiKeys(ctx.db, ctx.account.id) }));

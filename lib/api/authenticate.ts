import { ensureAccountForUser } from '@/lib/auth/accounts';
import { authenticateApiKey } from '@/lib/auth/api-keys';
import { verifySessionToken } from '@/lib/auth/session-tokens';
import { ApiError, invalidApiKey } from '@/lib/errors';
import type { Services } from '@/lib/services';
import type { Account } from '@/lib/auth/accounts';
import type { Caller } from '@/lib/core/context';

export type AuthMode = 'apiKey' | 'session';

function bearerToken(request: Request): string | undefined {
  const header = request.headers.get('authorization') ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** API routes take an API key; key management and the dashboard take a session JWT. */
export async function authenticate(request: Request, mode: AuthMode, services: Services): Promise<{ account: Account; caller: Caller }> {
  const token = bearerToken(request);
  if (mode === 'apiKey') {
    if (!token) throw invalidApiKey();
    const key = await authenticateApiKey(services.db, token, services.now());
    return { account: key.account, caller: { type: 'apiKey', keyId: key.keyId, scopes: key.scopes } };
  }
  if (!token) throw new ApiError('unauthorized', 'Invalid or missing session token');
  const claims = await verifySessionToken(services, token);
  const account = await ensureAccountForUser(services.db, claims, services.env.DEFAULT_PLAN);
  return { account, caller: { type: 'session', userId: claims.userId, email: claims.email } };
}

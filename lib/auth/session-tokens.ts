import { randomBytes } from 'node:crypto';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { getOrInitSetting } from '@/lib/db/settings';
import { ApiError } from '@/lib/errors';
import type { Services } from '@/lib/services';

export const ACCESS_TOKEN_TTL_SECONDS = 3600;

export interface SessionClaims {
  userId: string;
  email: string;
  sessionId?: string;
}

async function localSecret(services: Services): Promise<Uint8Array> {
  // AUTH_SECRET from the environment, or one generated at first start and kept in the database (shared by all instances).
  const secret = services.env.AUTH_SECRET ?? (await getOrInitSetting(services.db, 'auth_secret', () => randomBytes(32).toString('base64url')));
  return new TextEncoder().encode(secret);
}

/** Signs a session JWT with the claims Supabase Auth puts in its own (sub, email, role, aud, session_id). */
export async function signLocalAccessToken(services: Services, claims: SessionClaims, issuer: string): Promise<{ token: string; expiresAt: number }> {
  const issuedAt = Math.floor(services.now().getTime() / 1000);
  const expiresAt = issuedAt + ACCESS_TOKEN_TTL_SECONDS;
  const token = await new SignJWT({ email: claims.email, role: 'authenticated', session_id: claims.sessionId, aal: 'aal1' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.userId)
    .setAudience('authenticated')
    .setIssuer(issuer)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .sign(await localSecret(services));
  return { token, expiresAt };
}

let jwks: { url: string; set: ReturnType<typeof createRemoteJWKSet> } | undefined;

function supabaseKeys(url: string) {
  if (jwks?.url !== url) jwks = { url, set: createRemoteJWKSet(new URL('/auth/v1/.well-known/jwks.json', url)) };
  return jwks.set;
}

/** The `iss` of the project's session JWTs: a token of another Supabase project (same legacy secret or not) is refused. */
const supabaseIssuer = (url: string) => `${url.replace(/\/+$/, '')}/auth/v1`;

async function verifyJwt(services: Services, token: string): Promise<JWTPayload> {
  const { env } = services;
  if (!env.supabaseAuth) {
    return (await jwtVerify(token, await localSecret(services), { audience: 'authenticated', currentDate: services.now(), algorithms: ['HS256'] })).payload;
  }
  const options = { audience: 'authenticated', currentDate: services.now(), issuer: supabaseIssuer(env.NEXT_PUBLIC_SUPABASE_URL!) };
  if (env.SUPABASE_JWT_SECRET) {
    return (await jwtVerify(token, new TextEncoder().encode(env.SUPABASE_JWT_SECRET), { ...options, algorithms: ['HS256'] })).payload;
  }
  return (await jwtVerify(token, supabaseKeys(env.NEXT_PUBLIC_SUPABASE_URL!), options)).payload;
}

/** Verifies a dashboard session JWT (local or Supabase); expired, forged or signed-out tokens get 401. */
export async function verifySessionToken(services: Services, token: string): Promise<SessionClaims> {
  let payload: JWTPayload;
  try {
    payload = await verifyJwt(services, token);
  } catch (error) {
    const expired = error instanceof joseErrors.JWTExpired;
    throw new ApiError('unauthorized', expired ? 'Session expired. Sign in again.' : 'Invalid or missing session token', { cause: error });
  }
  const userId = typeof payload.sub === 'string' ? payload.sub : undefined;
  const email = typeof payload.email === 'string' ? payload.email : '';
  const sessionId = typeof payload.session_id === 'string' ? payload.session_id : undefined;
  if (!userId || !/^[0-9a-f-]{36}$/i.test(userId)) throw new ApiError('unauthorized', 'Invalid or missing session token');
  if (services.env.supabaseAuth && services.env.SUPABASE_REQUIRE_MFA && payload.aal !== 'aal2') {
    throw new ApiError('unauthorized', 'This dashboard requires multi-factor sign-in: verify your second factor and try again.');
  }
  if (!services.env.supabaseAuth && sessionId) {
    const revoked = await services.db.query('select 1 from local_revoked_sessions where session_id = $1', [sessionId]);
    if (revoked.length > 0) throw new ApiError('unauthorized', 'Session expired. Sign in again.');
  }
  return { userId, email, sessionId };
}

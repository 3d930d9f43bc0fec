import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { queryOne } from '@/lib/db';
import { ApiError } from '@/lib/errors';
import type { Services } from '@/lib/services';
import { ensureAccountForUser } from './accounts';
import { SIGN_IN_ATTEMPTS_PER_CLIENT, SIGN_IN_ATTEMPTS_PER_EMAIL, SIGN_UPS_PER_EMAIL, throttle, tooManyRequests } from './auth-throttle';
import { pendingSignUpHash, signUpWithConfirmation } from './email-confirmation';
import { GoTrueError } from './gotrue-error';
import { hashPassword, verifyPassword } from './passwords';
import { ACCESS_TOKEN_TTL_SECONDS, signLocalAccessToken, verifySessionToken } from './session-tokens';

// The subset of the Supabase Auth (GoTrue) REST API that supabase-js uses for email + password,
// so the dashboard and API clients use the same client code with or without Supabase.

export const REFRESH_TOKEN_TTL_DAYS = 30;
export const MIN_PASSWORD_LENGTH = 8;

const Credentials = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email()).pipe(z.string().max(254)),
  password: z.string().min(1).max(200),
});

export interface LocalUserRow {
  id: string;
  email: string;
  password_hash: string;
  created_at: Date;
  last_sign_in_at: Date | null;
}

function userJson(user: LocalUserRow) {
  const created = new Date(user.created_at).toISOString();
  return {
    id: user.id,
    aud: 'authenticated',
    role: 'authenticated',
    email: user.email,
    email_confirmed_at: created,
    confirmed_at: created,
    phone: '',
    last_sign_in_at: user.last_sign_in_at ? new Date(user.last_sign_in_at).toISOString() : created,
    app_metadata: { provider: 'email', providers: ['email'] },
    user_metadata: {},
    identities: [],
    created_at: created,
    updated_at: created,
    is_anonymous: false,
  };
}

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * A new session for `user`, or null when the password changed since `user` was read: a sign-in that checked the
 * old password while a reset ran gets nothing. The row lock orders this insert against the reset, which signs out
 * every session that exists when it commits.
 */
export async function issueSession(services: Services, user: LocalUserRow, issuer: string, sessionId = randomUUID()) {
  const refreshToken = randomBytes(32).toString('base64url');
  const now = services.now();
  const inserted = await services.db.query(
    `insert into local_refresh_tokens (token_hash, user_id, session_id, expires_at)
     select $1, u.id, $3, $4 from local_users u where u.id = $2 and u.password_hash = $5 for share of u
     returning session_id`,
    [hashToken(refreshToken), user.id, sessionId, new Date(now.getTime() + REFRESH_TOKEN_TTL_DAYS * 86_400_000), user.password_hash],
  );
  if (inserted.length === 0) return null;
  const access = await signLocalAccessToken(services, { userId: user.id, email: user.email, sessionId }, issuer);
  return {
    access_token: access.token,
    token_type: 'bearer',
    expires_in: ACCESS_TOKEN_TTL_SECONDS,
    expires_at: access.expiresAt,
    refresh_token: refreshToken,
    user: userJson(user),
  };
}

function parseCredentials(body: unknown) {
  const result = Credentials.safeParse(body);
  if (!result.success) throw new GoTrueError(400, 'validation_failed', 'A valid email and a password are required');
  return result.data;
}

export const weakPassword = () => new GoTrueError(422, 'weak_password', `Password should be at least ${MIN_PASSWORD_LENGTH} characters.`);
const invalidCredentials = () => new GoTrueError(400, 'invalid_credentials', 'Invalid login credentials');

/**
 * With a mail transport (services.mailer.delivers), sign-up is GoTrue's with email confirmation: a link is mailed,
 * no session is given, and a taken email answers the same while its owner is told by mail (signUpWithConfirmation).
 * Without one (the offline default) there is no way to prove an email, so sign-up is GoTrue's with confirmation off:
 * a session at once, and a taken email answers 422 user_already_exists; a new account gets a session, which a taken
 * email cannot get, so no answer could look the same. Sign-ups are throttled per address and per email either way.
 */
export async function signUp(services: Services, body: unknown, request: { issuer: string; requestOrigin: string; clientAddress?: string | null }) {
  const { email, password } = parseCredentials(body);
  if (password.length < MIN_PASSWORD_LENGTH) throw weakPassword();
  const clientAddress = request.clientAddress ?? null;
  await throttle(
    services,
    [[`signup:email:${email}`, SIGN_UPS_PER_EMAIL], clientAddress ? [`signup:client:${clientAddress}`, services.env.SIGNUPS_PER_CLIENT_PER_MINUTE] : null],
    tooManyRequests('sign-up attempts'),
  );
  if (services.mailer.delivers) return signUpWithConfirmation(services, { email, password, requestOrigin: request.requestOrigin });
  const passwordHash = await hashPassword(password);
  const user = await queryOne<LocalUserRow>(
    services.db,
    `insert into local_users (email, password_hash, last_sign_in_at) values ($1, $2, $3)
     on conflict (email) do nothing returning *`,
    [email, passwordHash, services.now()],
  );
  if (!user) throw new GoTrueError(422, 'user_already_exists', 'User already registered');
  await ensureAccountForUser(services.db, { userId: user.id, email: user.email }, services.env.DEFAULT_PLAN);
  const session = await issueSession(services, user, request.issuer);
  if (!session) throw invalidCredentials();
  return session;
}

export async function signInWithPassword(services: Services, body: unknown, issuer: string, clientAddress: string | null = null) {
  const { email, password } = parseCredentials(body);
  await throttle(
    services,
    [[`signin:email:${email}`, SIGN_IN_ATTEMPTS_PER_EMAIL], clientAddress ? [`signin:client:${clientAddress}`, SIGN_IN_ATTEMPTS_PER_CLIENT] : null],
    tooManyRequests('sign-in attempts'),
  );
  const user = await queryOne<LocalUserRow>(services.db, 'select * from local_users where email = $1', [email]);
  const pending = user ? undefined : await pendingSignUpHash(services, email);
  // Verify against a dummy hash when the user is unknown, so timing does not reveal which emails exist.
  const ok = await verifyPassword(password, user?.password_hash ?? pending ?? DUMMY_HASH);
  // Only the password of a sign-up still waiting learns that it waits (GoTrue's answer), never who else signed up.
  if (!user && pending && ok) throw new GoTrueError(400, 'email_not_confirmed', 'Email not confirmed');
  if (!user || !ok) throw invalidCredentials();
  const session = await issueSession(services, user, issuer);
  if (!session) throw invalidCredentials();
  await services.db.query('update local_users set last_sign_in_at = $2 where id = $1', [user.id, services.now()]);
  return session;
}

export async function refreshSession(services: Services, body: unknown, issuer: string) {
  const token = z.object({ refresh_token: z.string().min(1).max(200) }).safeParse(body);
  if (!token.success) throw new GoTrueError(400, 'validation_failed', 'refresh_token is required');
  // Rotation: a refresh token works once; using it again fails.
  const row = await queryOne<{ user_id: string; session_id: string }>(
    services.db,
    `update local_refresh_tokens set revoked_at = $2
     where token_hash = $1 and revoked_at is null and expires_at > $2
     returning user_id, session_id`,
    [hashToken(token.data.refresh_token), services.now()],
  );
  if (!row) throw new GoTrueError(400, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
  const revoked = await services.db.query('select 1 from local_revoked_sessions where session_id = $1', [row.session_id]);
  const user = await queryOne<LocalUserRow>(services.db, 'select * from local_users where id = $1', [row.user_id]);
  const session = user && revoked.length === 0 ? await issueSession(services, user, issuer, row.session_id as ReturnType<typeof randomUUID>) : null;
  if (!session) throw new GoTrueError(400, 'session_not_found', 'Session not found');
  return session;
}

async function claimsFrom(services: Services, authorization: string | null) {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!token) throw new GoTrueError(401, 'no_authorization', 'This endpoint requires a Bearer token');
  try {
    return await verifySessionToken(services, token);
  } catch (error) {
    if (error instanceof ApiError) throw new GoTrueError(403, 'bad_jwt', 'invalid JWT: unable to parse or verify signature');
    throw error;
  }
}

export async function getUser(services: Services, authorization: string | null) {
  const claims = await claimsFrom(services, authorization);
  const user = await queryOne<LocalUserRow>(services.db, 'select * from local_users where id = $1', [claims.userId]);
  if (!user) throw new GoTrueError(404, 'user_not_found', 'User from sub claim in JWT does not exist');
  return userJson(user);
}

export async function signOut(services: Services, authorization: string | null) {
  const claims = await claimsFrom(services, authorization);
  if (!claims.sessionId) return;
  await services.db.transaction(async (tx) => {
    await tx.query('insert into local_revoked_sessions (session_id) values ($1) on conflict do nothing', [claims.sessionId!]);
    await tx.query('update local_refresh_tokens set revoked_at = $2 where session_id = $1 and revoked_at is null', [claims.sessionId!, services.now()]);
  });
}

const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$' + 'A'.repeat(86) + '==';

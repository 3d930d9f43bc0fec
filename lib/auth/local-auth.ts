import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { queryOne } from '@/lib/db';
import { ApiError } from '@/lib/errors';
import type { Services } from '@/lib/services';
import { ensureAccountForUser } from './accounts';
import { hashPassword, verifyPassword } from './passwords';
import { ACCESS_TOKEN_TTL_SECONDS, signLocalAccessToken, verifySessionToken } from './session-tokens';

// The subset of the Supabase Auth (GoTrue) REST API that supabase-js uses for email + password,
// so the dashboard and API clients use the same client code with or without Supabase.

export const REFRESH_TOKEN_TTL_DAYS = 30;
export const MIN_PASSWORD_LENGTH = 8;

export class GoTrueError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

const Credentials = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email()).pipe(z.string().max(254)),
  password: z.string().min(1).max(200),
});

interface LocalUserRow {
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

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

async function issueSession(services: Services, user: LocalUserRow, issuer: string, sessionId = randomUUID()) {
  const refreshToken = randomBytes(32).toString('base64url');
  const now = services.now();
  await services.db.query(
    `insert into local_refresh_tokens (token_hash, user_id, session_id, expires_at) values ($1, $2, $3, $4)`,
    [hashToken(refreshToken), user.id, sessionId, new Date(now.getTime() + REFRESH_TOKEN_TTL_DAYS * 86_400_000)],
  );
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

export async function signUp(services: Services, body: unknown, issuer: string) {
  const { email, password } = parseCredentials(body);
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new GoTrueError(422, 'weak_password', `Password should be at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
  const passwordHash = await hashPassword(password);
  const user = await queryOne<LocalUserRow>(
    services.db,
    `insert into local_users (email, password_hash, last_sign_in_at) values ($1, $2, $3)
     on conflict (email) do nothing returning *`,
    [email, passwordHash, services.now()],
  );
  if (!user) throw new GoTrueError(422, 'user_already_exists', 'User already registered');
  await ensureAccountForUser(services.db, { userId: user.id, email: user.email }, services.env.DEFAULT_PLAN);
  return issueSession(services, user, issuer);
}

/** Sign-in attempts allowed per minute for one email, and for one client address. */
export const SIGN_IN_ATTEMPTS_PER_EMAIL = 10;
export const SIGN_IN_ATTEMPTS_PER_CLIENT = 30;

async function throttleSignIn(services: Services, email: string, clientAddress: string | null): Promise<void> {
  const checks = [services.rateLimiter.limit(`signin:email:${email}`, SIGN_IN_ATTEMPTS_PER_EMAIL)];
  if (clientAddress) checks.push(services.rateLimiter.limit(`signin:client:${clientAddress}`, SIGN_IN_ATTEMPTS_PER_CLIENT));
  const decisions = await Promise.all(checks);
  if (decisions.some((decision) => !decision.allowed)) {
    throw new GoTrueError(429, 'over_request_rate_limit', 'Too many sign-in attempts. Wait a minute and try again.');
  }
}

export async function signInWithPassword(services: Services, body: unknown, issuer: string, clientAddress: string | null = null) {
  const { email, password } = parseCredentials(body);
  await throttleSignIn(services, email, clientAddress);
  const user = await queryOne<LocalUserRow>(services.db, 'select * from local_users where email = $1', [email]);
  // Verify against a dummy hash when the user is unknown, so timing does not reveal which emails exist.
  const ok = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH);
  if (!user || !ok) throw new GoTrueError(400, 'invalid_credentials', 'Invalid login credentials');
  await services.db.query('update local_users set last_sign_in_at = $2 where id = $1', [user.id, services.now()]);
  return issueSession(services, user, issuer);
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
  if (!user || revoked.length > 0) throw new GoTrueError(400, 'session_not_found', 'Session not found');
  return issueSession(services, user, issuer, row.session_id as ReturnType<typeof randomUUID>);
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

export const PASSWORD_RESET_TTL_MINUTES = 60;

/**
 * POST /auth/v1/recover: sends a one-hour, one-use reset link. Answers the same whether or not the email has an
 * account, so it cannot be used to find out who signed up.
 */
export async function requestPasswordReset(services: Services, body: unknown, origin: string) {
  const parsed = z.object({ email: z.string().trim().toLowerCase().pipe(z.email()) }).safeParse(body);
  if (!parsed.success) throw new GoTrueError(400, 'validation_failed', 'A valid email is required');
  await throttleSignIn(services, parsed.data.email, null);
  const user = await queryOne<LocalUserRow>(services.db, 'select * from local_users where email = $1', [parsed.data.email]);
  if (!user) return {};
  const token = randomBytes(32).toString('base64url');
  await services.db.query('insert into local_password_resets (token_hash, user_id, expires_at) values ($1, $2, $3)', [
    hashToken(token),
    user.id,
    new Date(services.now().getTime() + PASSWORD_RESET_TTL_MINUTES * 60_000),
  ]);
  const link = `${origin}/reset-password?token=${token}`;
  await services.mailer.send({ to: user.email, subject: 'Reset your Memory Layer password', text: `Set a new password here (valid for ${PASSWORD_RESET_TTL_MINUTES} minutes): ${link}` });
  return {};
}

/** POST /auth/v1/reset: a valid reset token sets the new password and signs out every session of the user. */
export async function resetPassword(services: Services, body: unknown) {
  const parsed = z.object({ token: z.string().min(1).max(200), password: z.string().min(1).max(200) }).safeParse(body);
  if (!parsed.success) throw new GoTrueError(400, 'validation_failed', 'token and password are required');
  if (parsed.data.password.length < MIN_PASSWORD_LENGTH) throw new GoTrueError(422, 'weak_password', `Password should be at least ${MIN_PASSWORD_LENGTH} characters.`);
  const passwordHash = await hashPassword(parsed.data.password);
  const now = services.now();
  return services.db.transaction(async (tx) => {
    const row = await queryOne<{ user_id: string }>(
      tx,
      'update local_password_resets set used_at = $2 where token_hash = $1 and used_at is null and expires_at > $2 returning user_id',
      [hashToken(parsed.data.token), now],
    );
    if (!row) throw new GoTrueError(400, 'otp_expired', 'This reset link is invalid or has expired. Ask for a new one.');
    await tx.query('update local_users set password_hash = $2 where id = $1', [row.user_id, passwordHash]);
    const sessions = await tx.query<{ session_id: string }>('select distinct session_id from local_refresh_tokens where user_id = $1', [row.user_id]);
    for (const { session_id } of sessions) await tx.query('insert into local_revoked_sessions (session_id) values ($1) on conflict do nothing', [session_id]);
    await tx.query('update local_refresh_tokens set revoked_at = $2 where user_id = $1 and revoked_at is null', [row.user_id, now]);
    return {};
  });
}

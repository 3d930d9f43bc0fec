import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { queryOne, type Db } from '@/lib/db';
import { log } from '@/lib/log';
import type { Services } from '@/lib/services';
import { revokeApiKeysCreatedBy } from './api-keys';
import {
  RESET_ATTEMPTS_PER_CLIENT,
  RESET_ATTEMPTS_PER_TOKEN,
  RESET_EMAILS_PER_EMAIL,
  RESET_REQUESTS_PER_CLIENT,
  throttle,
  tooManyRequests,
} from './auth-throttle';
import { GoTrueError } from './gotrue-error';
import { mailLinkOrigin } from './link-origin';
import { hashToken, MIN_PASSWORD_LENGTH, weakPassword, type LocalUserRow } from './local-auth';
import { hashPassword } from './passwords';

export const PASSWORD_RESET_TTL_MINUTES = 60;

/**
 * POST /auth/v1/recover: sends a one-hour, one-use reset link. Answers the same whether or not the email has an
 * account, so it cannot be used to find out who signed up.
 */
export async function requestPasswordReset(services: Services, body: unknown, request: { requestOrigin: string; clientAddress: string | null }) {
  const parsed = z.object({ email: z.string().trim().toLowerCase().pipe(z.email()) }).safeParse(body);
  if (!parsed.success) throw new GoTrueError(400, 'validation_failed', 'A valid email is required');
  const { email } = parsed.data;
  await throttle(services, [request.clientAddress ? [`recover:client:${request.clientAddress}`, RESET_REQUESTS_PER_CLIENT] : null], tooManyRequests('requests'));
  await throttle(
    services,
    [[`recover:email:${email}`, RESET_EMAILS_PER_EMAIL]],
    new GoTrueError(429, 'over_email_send_rate_limit', 'Too many reset emails for this address. Wait a minute and try again.'),
  );
  const user = await queryOne<LocalUserRow>(services.db, 'select * from local_users where email = $1', [email]);
  if (!user) return {};
  const origin = mailLinkOrigin(services.env, request.requestOrigin);
  if (!origin) {
    log.error('password reset link not sent: set APP_URL to the public URL of the app', { to: user.email });
    return {};
  }
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

const expiredLink = () => new GoTrueError(400, 'otp_expired', 'This reset link is invalid or has expired. Ask for a new one.');

/**
 * POST /auth/v1/reset: a valid reset token sets the new password, signs out every session of the user and revokes
 * the API keys the user created. A reset is how an account is taken back (say someone signed up with your email
 * before you did): keys made with the old password must not outlive it. The answer says how many were revoked.
 */
export async function resetPassword(services: Services, body: unknown, clientAddress: string | null = null) {
  const parsed = z.object({ token: z.string().min(1).max(200), password: z.string().min(1).max(200) }).safeParse(body);
  if (!parsed.success) throw new GoTrueError(400, 'validation_failed', 'token and password are required');
  if (parsed.data.password.length < MIN_PASSWORD_LENGTH) throw weakPassword();
  const tokenHash = hashToken(parsed.data.token);
  await throttle(
    services,
    [[`reset:token:${tokenHash}`, RESET_ATTEMPTS_PER_TOKEN], clientAddress ? [`reset:client:${clientAddress}`, RESET_ATTEMPTS_PER_CLIENT] : null],
    tooManyRequests('reset attempts'),
  );
  // The token first: scrypt runs only for a request that holds a live link.
  const live = await services.db.query('select 1 from local_password_resets where token_hash = $1 and used_at is null and expires_at > $2', [tokenHash, services.now()]);
  if (live.length === 0) throw expiredLink();
  const passwordHash = await hashPassword(parsed.data.password);
  return services.db.transaction(async (tx) => {
    const now = services.now();
    const row = await queryOne<{ user_id: string }>(
      tx,
      'update local_password_resets set used_at = $2 where token_hash = $1 and used_at is null and expires_at > $2 returning user_id',
      [tokenHash, now],
    );
    if (!row) throw expiredLink();
    await tx.query('update local_users set password_hash = $2 where id = $1', [row.user_id, passwordHash]);
    await signOutEverywhere(tx, row.user_id, now);
    const revokedKeys = await revokeApiKeysCreatedBy(tx, { userId: row.user_id, now });
    const keysNote = revokedKeys > 0 ? ` The ${revokedKeys} API key(s) you had created were revoked: create new ones in the dashboard.` : '';
    return { msg: `Password updated. Every session was signed out.${keysNote}`, revoked_api_keys: revokedKeys };
  });
}

async function signOutEverywhere(db: Db, userId: string, now: Date): Promise<void> {
  await db.query(
    'insert into local_revoked_sessions (session_id) select distinct session_id from local_refresh_tokens where user_id = $1 on conflict do nothing',
    [userId],
  );
  await db.query('update local_refresh_tokens set revoked_at = $2 where user_id = $1 and revoked_at is null', [userId, now]);
}

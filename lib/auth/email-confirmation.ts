import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { defer } from '@/lib/core/after-response';
import { queryOne } from '@/lib/db';
import { log } from '@/lib/log';
import type { Services } from '@/lib/services';
import { ensureAccountForUser } from './accounts';
import { claimConfirmationMail, RESET_ATTEMPTS_PER_CLIENT, RESET_ATTEMPTS_PER_TOKEN, RESET_REQUESTS_PER_CLIENT, throttle, tooManyRequests } from './auth-throttle';
import { GoTrueError } from './gotrue-error';
import { mailLinkOrigin } from './link-origin';
import { hashToken, issueSession, type LocalUserRow } from './local-auth';
import { hashPassword } from './passwords';

// GoTrue with "confirm email" on: a sign-up creates nothing but a pending row and a mailed link; the user and its
// account exist once the link is used. Used only when a mail transport delivers (services.mailer.delivers).

export const SIGNUP_CONFIRMATION_TTL_HOURS = 24;

/** The answer to every sign-up that needs confirmation: GoTrue's user object without a session, new or taken email alike. */
function pendingUserJson(email: string, now: Date) {
  const at = now.toISOString();
  return {
    id: randomUUID(),
    aud: 'authenticated',
    role: 'authenticated',
    email,
    phone: '',
    confirmation_sent_at: at,
    app_metadata: { provider: 'email', providers: ['email'] },
    user_metadata: {},
    identities: [],
    created_at: at,
    updated_at: at,
    is_anonymous: false,
  };
}

function linkOriginOrFail(services: Services, requestOrigin: string): string {
  const origin = mailLinkOrigin(services.env, requestOrigin);
  if (origin) return origin;
  log.error('confirmation link not sent: set APP_URL to the public URL of the app');
  throw new GoTrueError(500, 'unexpected_failure', 'Error sending confirmation email');
}

async function sendConfirmation(services: Services, input: { email: string; passwordHash: string; origin: string }): Promise<void> {
  const token = randomBytes(32).toString('base64url');
  await services.db.transaction(async (tx) => {
    // One link per email at a time, as GoTrue keeps one confirmation token per user: a new sign-up or resend replaces
    // the email's earlier links. Otherwise an older mail in the inbox, perhaps from a sign-up someone else made with
    // this email, would still create the account with that sign-up's password. Sign-ups of one email take turns.
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`signup-confirmation:${input.email}`]);
    // Spent and expired links go too: they hold a password hash and are no use to anyone (a spent or expired token
    // answers "invalid link" whether or not its row is still there).
    await tx.query('delete from local_signup_confirmations where email = $2 or used_at is not null or expires_at <= $1', [services.now(), input.email]);
    await tx.query('insert into local_signup_confirmations (token_hash, email, password_hash, expires_at) values ($1, $2, $3, $4)', [
      hashToken(token),
      input.email,
      input.passwordHash,
      new Date(services.now().getTime() + SIGNUP_CONFIRMATION_TTL_HOURS * 3_600_000),
    ]);
  });
  await services.mailer.send({
    to: input.email,
    subject: 'Confirm your Memory Layer account',
    text: `Confirm your email to finish signing up (the link works once, for ${SIGNUP_CONFIRMATION_TTL_HOURS} hours): ${input.origin}/auth/confirm?token_hash=${token}&type=signup\n\nIf you did not sign up, ignore this message: no account is created without this link.`,
  });
}

/**
 * POST /auth/v1/signup with a mail transport: a new email gets a confirmation link; an email that already has an
 * account answers exactly the same (status, body shape, one scrypt, one message sent, one mail a minute) and its owner
 * is told by mail instead, so sign-up cannot tell anyone which emails are registered.
 */
export async function signUpWithConfirmation(services: Services, input: { email: string; password: string; requestOrigin: string }) {
  const origin = linkOriginOrFail(services, input.requestOrigin);
  await claimConfirmationMail(services, input.email);
  // Hashed for a taken email too: skipping scrypt there would tell the two apart by time.
  const passwordHash = await hashPassword(input.password);
  const existing = await queryOne<{ id: string }>(services.db, 'select id from local_users where email = $1', [input.email]);
  try {
    if (existing) {
      await services.mailer.send({
        to: input.email,
        subject: 'Someone tried to sign up with your email',
        text: `Someone (perhaps you) tried to create a Memory Layer account with this email, which already has one. Nothing was changed.\n\nSign in: ${origin}/login\nForgot your password? ${origin}/forgot-password\n\nIf it was not you, you can ignore this message.`,
      });
    } else {
      await sendConfirmation(services, { email: input.email, passwordHash, origin });
    }
  } catch (error) {
    log.error('sign-up email not sent', { error: error instanceof Error ? error.message : String(error) });
    throw new GoTrueError(500, 'unexpected_failure', 'Error sending confirmation email');
  }
  return pendingUserJson(input.email, services.now());
}

const invalidLink = () => new GoTrueError(403, 'otp_expired', 'Email link is invalid or has expired');

/**
 * POST /auth/v1/verify {type: "signup" | "email", token_hash}: uses a confirmation link once. It creates the user
 * with the password chosen at that sign-up, creates the account, retires the email's other links, and signs in.
 */
export async function confirmSignUp(services: Services, body: unknown, request: { issuer: string; clientAddress: string | null }) {
  const parsed = z.object({ type: z.enum(['signup', 'email']), token_hash: z.string().min(1).max(200) }).safeParse(body);
  if (!parsed.success) throw new GoTrueError(400, 'validation_failed', 'type ("signup" or "email") and token_hash are required');
  const tokenHash = hashToken(parsed.data.token_hash);
  await throttle(
    services,
    [[`verify:token:${tokenHash}`, RESET_ATTEMPTS_PER_TOKEN], request.clientAddress ? [`verify:client:${request.clientAddress}`, RESET_ATTEMPTS_PER_CLIENT] : null],
    tooManyRequests('verification attempts'),
  );
  const user = await services.db.transaction(async (tx) => {
    const now = services.now();
    const pending = await queryOne<{ email: string; password_hash: string }>(
      tx,
      'update local_signup_confirmations set used_at = $2 where token_hash = $1 and used_at is null and expires_at > $2 returning email, password_hash',
      [tokenHash, now],
    );
    if (!pending) return null;
    await tx.query('update local_signup_confirmations set used_at = $2 where email = $1 and used_at is null', [pending.email, now]);
    return queryOne<LocalUserRow>(
      tx,
      'insert into local_users (email, password_hash, last_sign_in_at) values ($1, $2, $3) on conflict (email) do nothing returning *',
      [pending.email, pending.password_hash, now],
    );
  });
  if (!user) throw invalidLink();
  await ensureAccountForUser(services.db, { userId: user.id, email: user.email }, services.env.DEFAULT_PLAN);
  const session = await issueSession(services, user, request.issuer);
  if (!session) throw invalidLink();
  return session;
}

/**
 * POST /auth/v1/resend {type: "signup", email}: a new link for a sign-up still waiting. Unknown, waiting, expired and
 * registered emails get the same answer, and the same throttles (one mail per email a minute, shared with sign-up);
 * whether there is anything to send is looked up after the response, so its timing tells nothing either.
 */
export async function resendConfirmation(services: Services, body: unknown, request: { requestOrigin: string; clientAddress: string | null }) {
  const parsed = z.object({ type: z.literal('signup'), email: z.string().trim().toLowerCase().pipe(z.email()) }).safeParse(body);
  if (!parsed.success) throw new GoTrueError(400, 'validation_failed', 'type "signup" and a valid email are required');
  const { email } = parsed.data;
  await throttle(services, [request.clientAddress ? [`resend:client:${request.clientAddress}`, RESET_REQUESTS_PER_CLIENT] : null], tooManyRequests('requests'));
  if (!services.mailer.delivers) return {};
  const origin = linkOriginOrFail(services, request.requestOrigin);
  await claimConfirmationMail(services, email);
  defer(() => mailNewLinkIfWaiting(services, email, origin));
  return {};
}

/**
 * GoTrue keeps an unconfirmed user until it is deleted, and its resend gives it a new token however old the sign-up.
 * Here a waiting sign-up is only its confirmation row, meant to live as long as its link: past that, sign-in treats the
 * email as unknown (pendingSignUpHash) and the next sign-up deletes the row. So an expired sign-up is not revived: it
 * is treated as an unknown email, and a password chosen then, perhaps by someone else, never becomes the account's.
 */
async function mailNewLinkIfWaiting(services: Services, email: string, origin: string): Promise<void> {
  try {
    const pending = await queryOne<{ password_hash: string }>(
      services.db,
      `select c.password_hash from local_signup_confirmations c
       where c.email = $1 and c.used_at is null and c.expires_at > $2 and not exists (select 1 from local_users u where u.email = c.email)
       order by c.created_at desc limit 1`,
      [email, services.now()],
    );
    if (pending) await sendConfirmation(services, { email, passwordHash: pending.password_hash, origin });
  } catch (error) {
    log.error('resent confirmation email not sent', { error: error instanceof Error ? error.message : String(error) });
  }
}

/** The password hash of `email`'s latest sign-up still waiting for its link (sign-in answers "Email not confirmed" to it). */
export async function pendingSignUpHash(services: Services, email: string): Promise<string | undefined> {
  const row = await queryOne<{ password_hash: string }>(
    services.db,
    'select password_hash from local_signup_confirmations where email = $1 and used_at is null and expires_at > $2 order by created_at desc limit 1',
    [email, services.now()],
  );
  return row?.password_hash;
}

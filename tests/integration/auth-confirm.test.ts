import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import * as keys from '@/app/api/v1/keys/route';
import * as recover from '@/app/auth/v1/recover/route';
import * as resend from '@/app/auth/v1/resend/route';
import * as signup from '@/app/auth/v1/signup/route';
import * as token from '@/app/auth/v1/token/route';
import * as verify from '@/app/auth/v1/verify/route';
import { hashPassword } from '@/lib/auth/passwords';
import { log } from '@/lib/log';
import { createMemoryRateLimiter } from '@/lib/ratelimit/memory';
import { call } from '@/tests/helpers/http';
import { startTestApp, type TestApp } from '@/tests/helpers/services';

// Sign-up with email confirmation, GoTrue's way, over a real SMTP conversation: nodemailer (SMTP_URL) talks to a
// local smtp-server that keeps what it receives.

vi.mock('@/lib/auth/passwords', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@/lib/auth/passwords')>();
  return { ...actual, hashPassword: vi.fn(actual.hashPassword) };
});

interface ReceivedMail {
  to: string[];
  raw: string;
  /** The body, quoted-printable decoded. */
  text: string;
}

function decodeQuotedPrintable(body: string): string {
  return body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

const APP_URL = 'https://app.memory-layer.test';
const PASSWORD = 'correct horse battery';
let app: TestApp;
let smtp: SMTPServer;
let inbox: ReceivedMail[];
let logged: unknown[];

beforeAll(async () => {
  inbox = [];
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
        inbox.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address), raw, text: decodeQuotedPrintable(body) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
  const { port } = smtp.server.address() as AddressInfo;
  app = await startTestApp({ env: { SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: 'Memory Layer <auth@memory-layer.test>', APP_URL } });
});
afterAll(async () => {
  await app.stop();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

let realNow: () => Date;
beforeEach(() => {
  inbox.length = 0;
  logged = [];
  for (const level of ['debug', 'info', 'warn', 'error'] as const) vi.spyOn(log, level).mockImplementation((...args) => void logged.push(args));
  const midMinute = Math.floor(Date.now() / 60_000) * 60_000 + 30_000;
  app.services.rateLimiter = createMemoryRateLimiter(() => midMinute);
  realNow = app.services.now;
  vi.mocked(hashPassword).mockClear();
});
afterEach(() => {
  app.services.now = realNow;
  vi.restoreAllMocks();
});

let counter = 0;
const freshEmail = () => `confirm-${Date.now()}-${counter++}@example.com`;
const signUp = (email: string, password = PASSWORD, headers: Record<string, string> = {}) =>
  call(signup.POST, 'POST', '/auth/v1/signup', { body: { email, password }, headers });
const signIn = (email: string, password = PASSWORD) => call(token.POST, 'POST', '/auth/v1/token?grant_type=password', { body: { email, password } });
const confirm = (tokenHash: string, type = 'signup') => call(verify.POST, 'POST', '/auth/v1/verify', { body: { type, token_hash: tokenHash } });
const resendLink = (email: string) => call(resend.POST, 'POST', '/auth/v1/resend', { body: { type: 'signup', email } });
const mailsTo = (email: string) => inbox.filter((mail) => mail.to.includes(email));
const linkIn = (mail: ReceivedMail) => /(https?:\/\/\S+\/auth\/confirm\?token_hash=([\w-]+)&type=signup)/.exec(mail.text);
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

async function confirmedAccount(email = freshEmail()) {
  expect((await signUp(email)).status).toBe(200);
  const link = linkIn(mailsTo(email).at(-1)!)!;
  const session = await confirm(link[2]!);
  expect(session.status).toBe(200);
  return { email, session: session.body as { access_token: string; user: { id: string } } };
}

describe('sign-up with a mail transport (email confirmation)', () => {
  it('mails a link from APP_URL and gives no session; nothing exists until the link is used', async () => {
    const email = freshEmail();
    const res = await signUp(email, PASSWORD, { host: 'attacker.example' });
    expect(res.status).toBe(200);
    expect(res.body.access_token).toBeUndefined();
    expect(res.body).toMatchObject({ email, aud: 'authenticated', identities: [] });
    expect(typeof res.body.confirmation_sent_at).toBe('string');

    const mails = mailsTo(email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.raw).toMatch(/^From: Memory Layer <auth@memory-layer\.test>/m);
    const link = linkIn(mails[0]!)!;
    expect(link[1]!.startsWith(`${APP_URL}/auth/confirm?`)).toBe(true);

    // Not a user, not an account, cannot sign in (GoTrue's answer to its own password).
    expect(await app.services.db.query('select 1 from local_users where email = $1', [email])).toHaveLength(0);
    expect(await app.services.db.query('select 1 from account_members where email = $1', [email])).toHaveLength(0);
    const blocked = await signIn(email);
    expect(blocked.status).toBe(400);
    expect(blocked.body).toMatchObject({ error_code: 'email_not_confirmed' });
    // Another password learns nothing: the usual invalid credentials.
    expect((await signIn(email, 'not the password')).body).toMatchObject({ error_code: 'invalid_credentials' });

    // The token is stored hashed and never logged.
    const rows = await app.services.db.query<{ token_hash: string; password_hash: string }>('select token_hash, password_hash from local_signup_confirmations where email = $1', [email]);
    expect(rows).toEqual([{ token_hash: sha256(link[2]!), password_hash: expect.stringMatching(/^scrypt\$/) }]);
    expect(JSON.stringify(logged)).not.toContain(link[2]!);
  });

  it('the link works once: it creates the user and account, signs in, and then API keys can be made', async () => {
    const email = freshEmail();
    await signUp(email);
    const tokenHash = linkIn(mailsTo(email)[0]!)![2]!;
    const session = await confirm(tokenHash);
    expect(session.status).toBe(200);
    expect(session.body).toMatchObject({ token_type: 'bearer', user: { email } });
    const key = await call(keys.POST, 'POST', '/api/v1/keys', { token: session.body.access_token, body: { name: 'after confirmation' } });
    expect(key.status).toBe(201);
    expect((await signIn(email)).status).toBe(200);

    const again = await confirm(tokenHash);
    expect(again.status).toBe(403);
    expect(again.body).toMatchObject({ error_code: 'otp_expired' });
    expect(await app.services.db.query('select 1 from account_members where email = $1', [email])).toHaveLength(1);
  });

  it('a taken email answers exactly like a new one, hashes the password too, and mails the owner instead', async () => {
    const { email } = await confirmedAccount();
    inbox.length = 0;
    vi.mocked(hashPassword).mockClear();
    const taken = await signUp(email, 'a different password');
    const fresh = await signUp(freshEmail(), 'a different password');
    expect(taken.status).toBe(fresh.status);
    const shape = (body: Record<string, unknown>) => Object.fromEntries(Object.entries(body).map(([k, v]) => [k, k === 'email' ? 'email' : Array.isArray(v) ? v : typeof v]));
    expect(shape(taken.body)).toEqual(shape(fresh.body));
    expect(taken.body.id).not.toBe(fresh.body.id);
    // One scrypt each: skipping it for the taken email would be a timing oracle.
    expect(vi.mocked(hashPassword)).toHaveBeenCalledTimes(2);

    const notice = mailsTo(email);
    expect(notice).toHaveLength(1);
    expect(notice[0]!.raw).toMatch(/^Subject: Someone tried to sign up with your email/m);
    expect(linkIn(notice[0]!)).toBeNull();
    expect(notice[0]!.text).toContain(`${APP_URL}/forgot-password`);
    // Nothing changed for the owner: the old password still signs in, the new one does not, no pending sign-up.
    expect((await signIn(email)).status).toBe(200);
    expect((await signIn(email, 'a different password')).status).toBe(400);
    expect(await app.services.db.query('select 1 from local_signup_confirmations where email = $1 and used_at is null', [email])).toHaveLength(0);
  });

  it('a link expires after 24 hours', async () => {
    const email = freshEmail();
    await signUp(email);
    const tokenHash = linkIn(mailsTo(email)[0]!)![2]!;
    const later = new Date(Date.now() + 24 * 3_600_000 + 60_000);
    app.services.now = () => later;
    const res = await confirm(tokenHash);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error_code: 'otp_expired' });
    expect(await app.services.db.query('select 1 from local_users where email = $1', [email])).toHaveLength(0);
  });

  it('the password is the one of the sign-up whose link is used, and the other links stop working', async () => {
    const email = freshEmail();
    await signUp(email, 'first password 1');
    await signUp(email, 'second password 2');
    const [first, second] = mailsTo(email).map((mail) => linkIn(mail)![2]!);
    expect((await confirm(second!)).status).toBe(200);
    expect((await signIn(email, 'second password 2')).status).toBe(200);
    expect((await signIn(email, 'first password 1')).status).toBe(400);
    expect((await confirm(first!)).status).toBe(403);
  });

  it('a new sign-up or resend replaces the email’s earlier links: an older mail cannot set the password', async () => {
    const email = freshEmail();
    // Someone else signs up with this email first; then its owner signs up.
    await signUp(email, 'someone else typed it');
    await signUp(email, 'my own password 2');
    const [theirs, mine] = mailsTo(email).map((mail) => linkIn(mail)![2]!);
    expect((await confirm(theirs!)).status).toBe(403);
    expect(await app.services.db.query('select 1 from local_users where email = $1', [email])).toHaveLength(0);

    inbox.length = 0;
    expect((await resendLink(email)).status).toBe(200);
    const resent = linkIn(mailsTo(email)[0]!)![2]!;
    expect((await confirm(mine!)).status).toBe(403);
    expect((await confirm(resent)).status).toBe(200);
    expect((await signIn(email, 'my own password 2')).status).toBe(200);
    expect((await signIn(email, 'someone else typed it')).status).toBe(400);
  });

  it('resend mails a new link for a waiting sign-up, the same empty answer otherwise, and is throttled per email', async () => {
    const waiting = freshEmail();
    await signUp(waiting);
    inbox.length = 0;
    const res = await resendLink(waiting);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
    const link = linkIn(mailsTo(waiting)[0]!)!;
    expect((await confirm(link[2]!)).status).toBe(200);

    const { email: registered } = await confirmedAccount();
    const unknown = freshEmail();
    inbox.length = 0;
    for (const email of [registered, unknown]) {
      const answer = await resendLink(email);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({});
    }
    expect(inbox).toHaveLength(0);

    const bombed = freshEmail();
    for (let i = 0; i < 3; i++) expect((await resendLink(bombed)).status).toBe(200);
    const refused = await resendLink(bombed);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ error_code: 'over_email_send_rate_limit' });
  });

  it('bad verify and resend bodies get 400 in GoTrue shape', async () => {
    expect((await confirm('x', 'recovery')).body).toMatchObject({ code: 400, error_code: 'validation_failed' });
    expect((await call(verify.POST, 'POST', '/auth/v1/verify', { body: { type: 'signup' } })).status).toBe(400);
    expect((await call(resend.POST, 'POST', '/auth/v1/resend', { body: { type: 'signup', email: 'nope' } })).status).toBe(400);
    expect((await confirm('no-such-token')).status).toBe(403);
  });

  it('a password reset still reaches a confirmed account by SMTP, with its link from APP_URL', async () => {
    const { email } = await confirmedAccount();
    inbox.length = 0;
    expect((await call(recover.POST, 'POST', '/auth/v1/recover', { body: { email }, headers: { host: 'attacker.example' } })).status).toBe(200);
    expect(mailsTo(email)[0]!.text).toContain(`${APP_URL}/reset-password?token=`);
  });
});

describe('without a mail transport (the offline default)', () => {
  it('keeps sign-up as it was: a session at once, and 422 for a taken email', async () => {
    const previous = app.services.mailer;
    app.services.mailer = { send: async () => undefined };
    try {
      const email = freshEmail();
      const first = await signUp(email);
      expect(first.status).toBe(200);
      expect(typeof first.body.access_token).toBe('string');
      const second = await signUp(email);
      expect(second.status).toBe(422);
      expect(second.body).toMatchObject({ error_code: 'user_already_exists' });
      expect((await resendLink(email)).body).toEqual({});
    } finally {
      app.services.mailer = previous;
    }
  });
});

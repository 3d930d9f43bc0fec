import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import * as keys from '@/app/api/v1/keys/route';
import * as recover from '@/app/auth/v1/recover/route';
import * as resend from '@/app/auth/v1/resend/route';
import * as signup from '@/app/auth/v1/signup/route';
import * as token from '@/app/auth/v1/token/route';
import * as verify from '@/app/auth/v1/verify/route';
import { hashPassword } from '@/lib/auth/passwords';
import { drainDeferred } from '@/lib/core/after-response';
import { log } from '@/lib/log';
import { createMemoryRateLimiter } from '@/lib/ratelimit/memory';
import { call } from '@/tests/helpers/http';
import { startMailSink, type MailSink, type ReceivedMail } from '@/tests/helpers/mail-sink';
import { startTestApp, type TestApp } from '@/tests/helpers/services';

// Sign-up with email confirmation, GoTrue's way, over a real SMTP conversation: nodemailer (SMTP_URL) talks to a
// local smtp-server that keeps what it receives.

vi.mock('@/lib/auth/passwords', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@/lib/auth/passwords')>();
  return { ...actual, hashPassword: vi.fn(actual.hashPassword) };
});

const APP_URL = 'https://app.memory-layer.test';
const PASSWORD = 'correct horse battery';
let app: TestApp;
let sink: MailSink;
let inbox: ReceivedMail[];
let logged: unknown[];

beforeAll(async () => {
  sink = await startMailSink();
  inbox = sink.inbox;
  app = await startTestApp({ env: { SMTP_URL: `smtp://127.0.0.1:${sink.port}`, MAIL_FROM: 'Memory Layer <auth@memory-layer.test>', APP_URL } });
});
afterAll(async () => {
  await app.stop();
  await sink.close();
});

let realNow: () => Date;
/** The rate limiter's clock: the middle of a minute, moved on by whole minutes with nextMinute(). */
let limiterTime: number;
const nextMinute = () => void (limiterTime += 60_000);
beforeEach(() => {
  inbox.length = 0;
  logged = [];
  for (const level of ['debug', 'info', 'warn', 'error'] as const) vi.spyOn(log, level).mockImplementation((...args) => void logged.push(args));
  limiterTime = Math.floor(Date.now() / 60_000) * 60_000 + 30_000;
  app.services.rateLimiter = createMemoryRateLimiter(() => limiterTime);
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
    nextMinute();
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
    nextMinute();
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
    nextMinute();
    await signUp(email, 'my own password 2');
    const [theirs, mine] = mailsTo(email).map((mail) => linkIn(mail)![2]!);
    expect((await confirm(theirs!)).status).toBe(403);
    expect(await app.services.db.query('select 1 from local_users where email = $1', [email])).toHaveLength(0);

    inbox.length = 0;
    nextMinute();
    expect((await resendLink(email)).status).toBe(200);
    const resent = linkIn(mailsTo(email)[0]!)![2]!;
    expect((await confirm(mine!)).status).toBe(403);
    expect((await confirm(resent)).status).toBe(200);
    expect((await signIn(email, 'my own password 2')).status).toBe(200);
    expect((await signIn(email, 'someone else typed it')).status).toBe(400);
  });

  it('resend mails a new link for a waiting sign-up, and nothing for a registered or unknown email', async () => {
    const waiting = freshEmail();
    await signUp(waiting);
    const { email: registered } = await confirmedAccount();
    const unknown = freshEmail();
    inbox.length = 0;
    nextMinute();
    const res = await resendLink(waiting);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
    const link = linkIn(mailsTo(waiting)[0]!)!;
    expect((await confirm(link[2]!)).status).toBe(200);

    for (const email of [registered, unknown]) expect(await resendLink(email)).toMatchObject({ status: 200, body: {} });
    expect(mailsTo(registered)).toHaveLength(0);
    expect(mailsTo(unknown)).toHaveLength(0);
  });

  it('one confirmation mail per email a minute across sign-up and resend, refused alike for new and registered emails', async () => {
    const { email: registered } = await confirmedAccount();
    const fresh = freshEmail();
    inbox.length = 0;
    nextMinute();
    const refusals = new Map<string, unknown[]>();
    for (const email of [fresh, registered]) {
      expect((await signUp(email)).status).toBe(200);
      const again = [await signUp(email, 'another password 2'), await resendLink(email)];
      for (const answer of again) expect(answer.status).toBe(429);
      refusals.set(email, again.map((answer) => answer.body));
      // One mail each: the link, or the owner's notice.
      expect(mailsTo(email)).toHaveLength(1);
    }
    // GoTrue's answer to a mail inside its SMTP max frequency, word for word the same for both emails.
    const [freshRefusals, registeredRefusals] = [refusals.get(fresh), refusals.get(registered)];
    expect(freshRefusals![0]).toEqual({ code: 429, error_code: 'over_email_send_rate_limit', msg: expect.stringMatching(/^For security purposes, you can only request this after \d+ seconds\.$/) });
    expect(registeredRefusals).toEqual(freshRefusals);
    expect(freshRefusals![1]).toEqual(freshRefusals![0]);

    // A resend first takes the minute of an unknown email as well, and the next minute frees it.
    const unknown = freshEmail();
    expect((await resendLink(unknown)).status).toBe(200);
    expect((await resendLink(unknown)).body).toEqual(freshRefusals![0]);
    nextMinute();
    expect((await resendLink(unknown)).status).toBe(200);
    expect((await resendLink(fresh)).status).toBe(200);
    expect(mailsTo(fresh)).toHaveLength(2);
  });

  it('resend answers unknown, waiting and registered emails alike, and mails only after its answer', async () => {
    const waiting = freshEmail();
    await signUp(waiting);
    const { email: registered } = await confirmedAccount();
    const unknown = freshEmail();
    inbox.length = 0;
    nextMinute();

    // Mail held until released: an answer that waited for the mail would never come.
    const smtpMailer = app.services.mailer;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    app.services.mailer = { delivers: true, send: async (message) => (await released, smtpMailer.send(message)) };
    try {
      const answers = [];
      for (const email of [unknown, waiting, registered]) {
        const request = new Request('http://localhost:3000/auth/v1/resend', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'signup', email }) });
        const stuck = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the answer for ${email} waited for its mail`)), 15_000).unref());
        const response = await Promise.race([resend.POST(request), stuck]);
        const { 'x-request-id': requestId, ...headers } = Object.fromEntries(response.headers);
        expect(requestId).toMatch(/^[\w-]+$/);
        answers.push({ status: response.status, headers, body: await response.text() });
      }
      expect(answers[0]).toEqual({ status: 200, headers: expect.objectContaining({ 'content-type': expect.stringContaining('application/json') }), body: '{}' });
      expect(answers[1]).toEqual(answers[0]);
      expect(answers[2]).toEqual(answers[0]);
      expect(inbox).toHaveLength(0);
    } finally {
      release();
      await drainDeferred();
      app.services.mailer = smtpMailer;
    }
    expect(mailsTo(waiting)).toHaveLength(1);
    expect(linkIn(mailsTo(waiting)[0]!)).not.toBeNull();
    expect(inbox).toHaveLength(1);
  });

  it('resend does not revive a sign-up whose link expired: it answers as for an unknown email and mails nothing', async () => {
    const expired = freshEmail();
    await signUp(expired);
    inbox.length = 0;
    nextMinute();
    const later = new Date(Date.now() + 24 * 3_600_000 + 60_000);
    app.services.now = () => later;
    const answer = await resendLink(expired);
    expect(answer).toMatchObject({ status: 200, body: {} });
    expect((await resendLink(freshEmail())).body).toEqual(answer.body);
    expect(mailsTo(expired)).toHaveLength(0);
    // Signing up again starts over, with a new link and the password chosen now.
    nextMinute();
    expect((await signUp(expired, 'chosen again 22')).status).toBe(200);
    expect((await confirm(linkIn(mailsTo(expired)[0]!)![2]!)).status).toBe(200);
    expect((await signIn(expired, 'chosen again 22')).status).toBe(200);
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

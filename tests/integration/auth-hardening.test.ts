import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import * as memory from '@/app/api/v1/memory/route';
import * as recover from '@/app/auth/v1/recover/route';
import * as reset from '@/app/auth/v1/reset/route';
import * as signup from '@/app/auth/v1/signup/route';
import * as token from '@/app/auth/v1/token/route';
import { hashPassword } from '@/lib/auth/passwords';
import type { Mailer } from '@/lib/mail';
import { createMemoryRateLimiter } from '@/lib/ratelimit/memory';
import { createAccount } from '@/tests/helpers/accounts';
import { call } from '@/tests/helpers/http';
import { startTestApp, type TestApp } from '@/tests/helpers/services';

// The real scrypt, observed: which requests hash a password, and a hook that runs while a password is being verified.
const hooks = vi.hoisted(() => ({ whileVerifying: undefined as undefined | (() => Promise<void>) }));
vi.mock('@/lib/auth/passwords', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@/lib/auth/passwords')>();
  return {
    ...actual,
    hashPassword: vi.fn(actual.hashPassword),
    verifyPassword: vi.fn(async (password: string, stored: string) => {
      const ok = await actual.verifyPassword(password, stored);
      const hook = hooks.whileVerifying;
      hooks.whileVerifying = undefined;
      if (hook) await hook();
      return ok;
    }),
  };
});

let app: TestApp;
let sent: { to: string; subject: string; text: string }[];

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

beforeEach(() => {
  sent = [];
  app.services.mailer = { send: async (message) => void sent.push(message) } satisfies Mailer;
  // A clock that stands still mid-minute, so the sliding window counts exactly the requests of this test.
  const midMinute = Math.floor(Date.now() / 60_000) * 60_000 + 30_000;
  app.services.rateLimiter = createMemoryRateLimiter(() => midMinute);
  vi.mocked(hashPassword).mockClear();
});

let counter = 0;
const freshEmail = () => `hardening-${Date.now()}-${counter++}@example.com`;
const from = (address: string) => ({ 'x-forwarded-for': address });
const signUp = (email: string, headers: Record<string, string> = {}) =>
  call(signup.POST, 'POST', '/auth/v1/signup', { body: { email, password: 'correct horse battery' }, headers });
const signIn = (email: string, password: string, headers: Record<string, string> = {}) =>
  call(token.POST, 'POST', '/auth/v1/token?grant_type=password', { body: { email, password }, headers });
const resetLinkToken = (text: string) => /token=([\w-]+)/.exec(text)![1]!;

async function resetTokenFor(email: string): Promise<string> {
  expect((await call(recover.POST, 'POST', '/auth/v1/recover', { body: { email } })).status).toBe(200);
  return resetLinkToken(sent.at(-1)!.text);
}

describe('request bodies', () => {
  const oversized = JSON.stringify({ email: 'big@example.com', password: 'x'.repeat(100 * 1024), token: 't', refresh_token: 'r' });

  it.each([
    ['signup', signup.POST, '/auth/v1/signup'],
    ['token', token.POST, '/auth/v1/token?grant_type=password'],
    ['recover', recover.POST, '/auth/v1/recover'],
    ['reset', reset.POST, '/auth/v1/reset'],
  ])('%s refuses a body over 64 KB with 413 in GoTrue’s error shape, without hashing anything', async (_name, handler, path) => {
    const res = await call(handler, 'POST', path, { rawBody: oversized, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ code: 413, error_code: 'request_too_large', msg: 'Request body exceeds the maximum of 65536 bytes' });
    expect(hashPassword).not.toHaveBeenCalled();
  });

  it('refuses a declared Content-Length over the cap before reading the body', async () => {
    const res = await call(signup.POST, 'POST', '/auth/v1/signup', {
      rawBody: JSON.stringify({ email: freshEmail(), password: 'correct horse battery' }),
      headers: { 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) },
    });
    expect(res.status).toBe(413);
  });

  it('still takes a body just under the cap', async () => {
    const res = await call(signup.POST, 'POST', '/auth/v1/signup', { body: { email: freshEmail(), password: 'correct horse battery', data: { pad: 'x'.repeat(60 * 1024) } } });
    expect(res.status).toBe(200);
  });
});

describe('sign-up throttling', () => {
  it('refuses the 11th sign-up in a minute from one client address', async () => {
    for (let i = 0; i < 10; i++) expect((await signUp(freshEmail(), from('198.51.100.7'))).status).toBe(200);
    const blocked = await signUp(freshEmail(), from('198.51.100.7'));
    expect(blocked.status).toBe(429);
    expect(blocked.body).toMatchObject({ code: 429, error_code: 'over_request_rate_limit' });
    expect((await signUp(freshEmail(), from('198.51.100.8'))).status).toBe(200);
  });

  it('refuses the 6th sign-up in a minute for one email, from any address', async () => {
    const email = freshEmail();
    for (let i = 0; i < 5; i++) expect((await signUp(email, from(`198.51.100.${20 + i}`))).status).not.toBe(429);
    const blocked = await signUp(email, from('198.51.100.99'));
    expect(blocked.status).toBe(429);
    expect(hashPassword).toHaveBeenCalledTimes(5);
  });
});

describe('password reset', () => {
  it('checks the token before hashing the new password', async () => {
    const res = await call(reset.POST, 'POST', '/auth/v1/reset', { body: { token: 'not-a-real-token', password: 'a brand new password' } });
    expect(res.status).toBe(400);
    expect(res.body.error_code).toBe('otp_expired');
    expect(hashPassword).not.toHaveBeenCalled();
  });

  it('refuses the 11th reset attempt in a minute from one client address', async () => {
    for (let i = 0; i < 10; i++) {
      const res = await call(reset.POST, 'POST', '/auth/v1/reset', { body: { token: `guess-${i}`, password: 'a brand new password' }, headers: from('203.0.113.50') });
      expect(res.status).toBe(400);
    }
    const blocked = await call(reset.POST, 'POST', '/auth/v1/reset', { body: { token: 'guess-x', password: 'a brand new password' }, headers: from('203.0.113.50') });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error_code).toBe('over_request_rate_limit');
  });

  it('refuses the 6th attempt in a minute with one token, from any address', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await call(reset.POST, 'POST', '/auth/v1/reset', { body: { token: 'one-token', password: 'a brand new password' }, headers: from(`203.0.113.${60 + i}`) });
      expect(res.status).toBe(400);
    }
    const blocked = await call(reset.POST, 'POST', '/auth/v1/reset', { body: { token: 'one-token', password: 'a brand new password' }, headers: from('203.0.113.99') });
    expect(blocked.status).toBe(429);
  });

  it('revokes the API keys the user created and every session and refresh token issued before the reset', async () => {
    const account = await createAccount();
    const tokenValue = await resetTokenFor(account.email);
    const res = await call(reset.POST, 'POST', '/auth/v1/reset', { body: { token: tokenValue, password: 'a brand new password' } });
    expect(res.status).toBe(200);
    const store = await call(memory.POST, 'POST', '/api/v1/memory', { token: account.apiKey, body: { content: 'still here?', external_user_id: 'u' } });
    expect(store.status).toBe(401);
    expect(res.body).toMatchObject({ revoked_api_keys: 1 });
    expect(res.body.msg).toMatch(/API key/);
    const refreshed = await call(token.POST, 'POST', '/auth/v1/token?grant_type=refresh_token', { body: { refresh_token: account.refreshToken } });
    expect(refreshed.status).toBe(400);
    expect((await signIn(account.email, 'a brand new password')).status).toBe(200);
  });

  it('gives no session to a sign-in that checked the old password while the reset happened', async () => {
    const account = await createAccount();
    const tokenValue = await resetTokenFor(account.email);
    hooks.whileVerifying = async () => {
      const res = await call(reset.POST, 'POST', '/auth/v1/reset', { body: { token: tokenValue, password: 'a brand new password' } });
      expect(res.status).toBe(200);
    };
    const raced = await signIn(account.email, 'correct horse battery');
    expect(hooks.whileVerifying).toBeUndefined();
    expect(raced.status).toBe(400);
    expect(raced.body.error_code).toBe('invalid_credentials');
    const sessions = await app.services.db.query<{ count: number }>(
      'select count(*)::int as count from local_refresh_tokens t join local_users u on u.id = t.user_id where u.email = $1 and t.revoked_at is null',
      [account.email],
    );
    expect(sessions[0]!.count).toBe(0);
  });
});

describe('reset links', () => {
  it('point at APP_URL, whatever host the request names', async () => {
    const account = await createAccount();
    const env = app.services.env;
    app.services.env = { ...env, APP_URL: 'https://app.example.com' };
    try {
      const res = await call(recover.POST, 'POST', 'http://evil.example/auth/v1/recover', { body: { email: account.email }, headers: { host: 'evil.example' } });
      expect(res.status).toBe(200);
      expect(sent).toHaveLength(1);
      expect(sent[0]!.text).toContain('https://app.example.com/reset-password?token=');
      expect(sent[0]!.text).not.toContain('evil.example');
    } finally {
      app.services.env = env;
    }
  });

  it('are not sent in production without APP_URL, and the answer does not change', async () => {
    const account = await createAccount();
    const env = app.services.env;
    app.services.env = { ...env, NODE_ENV: 'production', APP_URL: undefined };
    try {
      const known = await call(recover.POST, 'POST', 'http://evil.example/auth/v1/recover', { body: { email: account.email } });
      const unknown = await call(recover.POST, 'POST', 'http://evil.example/auth/v1/recover', { body: { email: freshEmail() } });
      expect(known.status).toBe(200);
      expect(known.body).toEqual(unknown.body);
      expect(sent).toHaveLength(0);
    } finally {
      app.services.env = env;
    }
  });

  it('use the request origin outside production when APP_URL is unset', async () => {
    const account = await createAccount();
    expect(app.services.env.APP_URL).toBeUndefined();
    await resetTokenFor(account.email);
    expect(sent[0]!.text).toContain('http://localhost:3000/reset-password?token=');
  });
});

describe('client addresses and buckets', () => {
  it('throttles sign-in by the X-Forwarded-For hop the proxy added (the last), not the one the client wrote', async () => {
    for (let i = 0; i < 30; i++) {
      expect((await signIn(freshEmail(), 'wrong password', from(`10.0.0.${i}, 192.0.2.44`))).status).toBe(400);
    }
    const blocked = await signIn(freshEmail(), 'wrong password', from('10.0.1.1, 192.0.2.44'));
    expect(blocked.status).toBe(429);
  });

  it('keeps password-reset requests out of the sign-in bucket: recover cannot lock an account out', async () => {
    const account = await createAccount();
    for (let i = 0; i < 10; i++) await call(recover.POST, 'POST', '/auth/v1/recover', { body: { email: account.email }, headers: from(`192.0.2.${100 + i}`) });
    expect((await signIn(account.email, 'correct horse battery')).status).toBe(200);
  });

  it('sends at most 3 reset emails a minute to one inbox, whatever the client address', async () => {
    const account = await createAccount();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await call(recover.POST, 'POST', '/auth/v1/recover', { body: { email: account.email }, headers: from(`192.0.2.${150 + i}`) })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(sent).toHaveLength(3);
  });
});

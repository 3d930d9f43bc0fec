import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as keys from '@/app/api/v1/keys/route';
import * as revoke from '@/app/api/v1/keys/[key_id]/revoke/route';
import * as memory from '@/app/api/v1/memory/route';
import * as logout from '@/app/auth/v1/logout/route';
import * as signup from '@/app/auth/v1/signup/route';
import * as token from '@/app/auth/v1/token/route';
import * as user from '@/app/auth/v1/user/route';
import { createAccount, type TestAccount } from '@/tests/helpers/accounts';
import { call } from '@/tests/helpers/http';
import { startTestApp, type TestApp } from '@/tests/helpers/services';

let app: TestApp;
let alice: TestAccount;
let bob: TestAccount;

beforeAll(async () => {
  app = await startTestApp();
  alice = await createAccount();
  bob = await createAccount();
});
afterAll(() => app.stop());

const storeWith = (apiKey: string) => call(memory.POST, 'POST', '/api/v1/memory', { token: apiKey, body: { content: 'hello world memory', external_user_id: 'u@example.com' } });

describe('API keys', () => {
  it('creates a key shown once in the mlive_<id>_<secret> format, and lists it masked', async () => {
    const created = await call(keys.POST, 'POST', '/api/v1/keys', { token: alice.accessToken, body: { name: 'Production Key' } });
    expect(created.status).toBe(201);
    expect(created.body.api_key).toMatch(/^mlive_[a-z0-9]{12}_[A-Za-z0-9]{40}$/);
    expect(created.body.api_key.startsWith(`mlive_${created.body.id}_`)).toBe(true);
    expect(created.body).toMatchObject({ name: 'Production Key', is_active: true, last_used_at: null });
    const listed = await call(keys.GET, 'GET', '/api/v1/keys', { token: alice.accessToken });
    expect(listed.status).toBe(200);
    const row = listed.body.keys.find((k: { id: string }) => k.id === created.body.id);
    expect(row.masked_key).toBe(`mlive_${created.body.id}_••••••••${created.body.api_key.slice(-4)}`);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.api_key);
    expect(row.api_key).toBeUndefined();
  });

  it('never stores the key in plain text', async () => {
    const created = await call(keys.POST, 'POST', '/api/v1/keys', { token: alice.accessToken, body: { name: 'Hashed' } });
    const secret = created.body.api_key.split('_')[2];
    const rows = await app.services.db.query<{ secret_hash: string }>('select secret_hash from api_keys where id = $1', [created.body.id]);
    expect(rows[0]!.secret_hash).not.toContain(secret);
    expect(rows[0]!.secret_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('records last_used_at when a key is used', async () => {
    expect((await storeWith(alice.apiKey)).status).toBe(201);
    const listed = await call(keys.GET, 'GET', '/api/v1/keys', { token: alice.accessToken });
    expect(listed.body.keys.find((k: { id: string }) => k.id === alice.keyId).last_used_at).toMatch(/^\d{4}-/);
  });

  it('revokes a key: it gets 401 from the next request on', async () => {
    const created = await call(keys.POST, 'POST', '/api/v1/keys', { token: alice.accessToken, body: { name: 'Short-lived' } });
    expect((await storeWith(created.body.api_key)).status).toBe(201);
    const revoked = await call(revoke.POST, 'POST', `/api/v1/keys/${created.body.id}/revoke`, { token: alice.accessToken, params: { key_id: created.body.id } });
    expect(revoked.status).toBe(200);
    expect(revoked.body.key).toMatchObject({ id: created.body.id, is_active: false });
    const after = await storeWith(created.body.api_key);
    expect(after.status).toBe(401);
    expect(after.body).toEqual({ detail: 'Invalid or missing API key' });
  });

  it("cannot revoke or see another account's key", async () => {
    const res = await call(revoke.POST, 'POST', `/api/v1/keys/${alice.keyId}/revoke`, { token: bob.accessToken, params: { key_id: alice.keyId } });
    expect(res.status).toBe(404);
    expect((await storeWith(alice.apiKey)).status).toBe(201);
    const bobKeys = await call(keys.GET, 'GET', '/api/v1/keys', { token: bob.accessToken });
    expect(bobKeys.body.keys.map((k: { id: string }) => k.id)).not.toContain(alice.keyId);
  });

  it.each([
    [{}, 'missing'],
    [{ name: '' }, 'custom'],
    [{ name: '   ' }, 'custom'],
    [{ name: 5 }, 'string_type'],
    [{ name: 'x'.repeat(101) }, 'string_too_long'],
  ])('rejects body %o with 422', async (body, type) => {
    const res = await call(keys.POST, 'POST', '/api/v1/keys', { token: alice.accessToken, body });
    expect(res.status).toBe(422);
    expect(res.body.details[0]).toMatchObject({ type, loc: ['body', 'name'] });
  });

  it('requires a session JWT, not an API key', async () => {
    const withKey = await call(keys.GET, 'GET', '/api/v1/keys', { token: alice.apiKey });
    expect(withKey.status).toBe(401);
    const none = await call(keys.GET, 'GET', '/api/v1/keys');
    expect(none.status).toBe(401);
    expect(none.body.detail).toBeTruthy();
  });

  it('rejects expired and forged JWTs', async () => {
    const secret = (await app.services.db.query<{ value: string }>("select value from app_settings where key = 'auth_secret'"))[0]!.value;
    const claims = { email: alice.email, role: 'authenticated' };
    const sub = JSON.parse(Buffer.from(alice.accessToken.split('.')[1]!, 'base64url').toString()).sub;
    const expired = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setAudience('authenticated').setIssuedAt(1_600_000_000).setExpirationTime(1_600_003_600).sign(new TextEncoder().encode(secret));
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setAudience('authenticated').setExpirationTime('1h').sign(new TextEncoder().encode('not-the-secret'));
    const expiredRes = await call(keys.GET, 'GET', '/api/v1/keys', { token: expired });
    expect(expiredRes.status).toBe(401);
    expect(expiredRes.body.detail).toMatch(/expired/i);
    expect((await call(keys.GET, 'GET', '/api/v1/keys', { token: forged })).status).toBe(401);
  });
});

describe('local auth (Supabase Auth compatible)', () => {
  const email = `Signup-${Date.now()}@Example.com`;

  it('signs up, signs in, reads the user, refreshes, and signs out', async () => {
    const up = await call(signup.POST, 'POST', '/auth/v1/signup', { body: { email, password: 'hunter2hunter2' } });
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ token_type: 'bearer', expires_in: 3600, user: { email: email.toLowerCase(), aud: 'authenticated', role: 'authenticated' } });

    const bad = await call(token.POST, 'POST', '/auth/v1/token?grant_type=password', { body: { email, password: 'wrong-password' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error_code: 'invalid_credentials', msg: 'Invalid login credentials' });

    const signin = await call(token.POST, 'POST', '/auth/v1/token?grant_type=password', { body: { email, password: 'hunter2hunter2' } });
    expect(signin.status).toBe(200);
    const me = await call(user.GET, 'GET', '/auth/v1/user', { token: signin.body.access_token });
    expect(me.body.email).toBe(email.toLowerCase());

    const refreshed = await call(token.POST, 'POST', '/auth/v1/token?grant_type=refresh_token', { body: { refresh_token: signin.body.refresh_token } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(signin.body.refresh_token);
    const reused = await call(token.POST, 'POST', '/auth/v1/token?grant_type=refresh_token', { body: { refresh_token: signin.body.refresh_token } });
    expect(reused.status).toBe(400);

    const out = await call(logout.POST, 'POST', '/auth/v1/logout', { token: refreshed.body.access_token });
    expect(out.status).toBe(204);
    expect((await call(keys.GET, 'GET', '/api/v1/keys', { token: refreshed.body.access_token })).status).toBe(401);
    expect((await call(token.POST, 'POST', '/auth/v1/token?grant_type=refresh_token', { body: { refresh_token: refreshed.body.refresh_token } })).status).toBe(400);
  });

  it('refuses duplicate emails, weak passwords and bad emails', async () => {
    expect((await call(signup.POST, 'POST', '/auth/v1/signup', { body: { email, password: 'another-password' } })).body.error_code).toBe('user_already_exists');
    expect((await call(signup.POST, 'POST', '/auth/v1/signup', { body: { email: 'new@example.com', password: 'short' } })).body.error_code).toBe('weak_password');
    expect((await call(signup.POST, 'POST', '/auth/v1/signup', { body: { email: 'not-an-email', password: 'long-enough-pw' } })).status).toBe(400);
    expect((await call(signup.POST, 'POST', '/auth/v1/signup', { rawBody: '{', headers: { 'content-type': 'application/json' } })).status).toBe(400);
  });

  it('stores passwords as scrypt hashes', async () => {
    const rows = await app.services.db.query<{ password_hash: string }>('select password_hash from local_users where email = $1', [email.toLowerCase()]);
    expect(rows[0]!.password_hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(rows[0]!.password_hash).not.toContain('hunter2');
  });
});

describe('sign-in throttling', () => {
  it('refuses the 11th attempt in a minute for one email, whatever the password', async () => {
    const { createMemoryRateLimiter } = await import('@/lib/ratelimit/memory');
    const previous = app.services.rateLimiter;
    // A clock that stands still: ten attempts straddling a minute boundary would count the previous minute's share
    // rounded down (the sliding-window approximation @upstash/ratelimit uses too), letting an 11th through.
    const midMinute = Math.floor(Date.now() / 60_000) * 60_000 + 30_000;
    app.services.rateLimiter = createMemoryRateLimiter(() => midMinute);
    try {
      const attempt = () => call(token.POST, 'POST', '/auth/v1/token?grant_type=password', { body: { email: alice.email, password: 'guess-guess-guess' } });
      for (let i = 0; i < 10; i++) expect((await attempt()).status).toBe(400);
      const blocked = await attempt();
      expect(blocked.status).toBe(429);
      expect(blocked.body.error_code).toBe('over_request_rate_limit');
      const right = await call(token.POST, 'POST', '/auth/v1/token?grant_type=password', { body: { email: alice.email, password: 'correct horse battery' } });
      expect(right.status).toBe(429);
    } finally {
      app.services.rateLimiter = previous;
    }
  });
});

describe('password reset (local auth)', () => {
  it('emails a one-use link; the new password works, the old one and old sessions do not', async () => {
    const recover = await import('@/app/auth/v1/recover/route');
    const reset = await import('@/app/auth/v1/reset/route');
    const sent: { to: string; text: string }[] = [];
    const previous = app.services.mailer;
    app.services.mailer = { send: async (message) => void sent.push(message) };
    try {
      const account = await createAccount();
      expect((await call(recover.POST, 'POST', '/auth/v1/recover', { body: { email: 'nobody-here@example.com' } })).status).toBe(200);
      expect(sent).toHaveLength(0);
      expect((await call(recover.POST, 'POST', '/auth/v1/recover', { body: { email: account.email } })).status).toBe(200);
      expect(sent[0]!.to).toBe(account.email);
      const tokenValue = /token=([\w-]+)/.exec(sent[0]!.text)![1]!;
      expect((await call(reset.POST, 'POST', '/auth/v1/reset', { body: { token: tokenValue, password: 'short' } })).body.error_code).toBe('weak_password');
      expect((await call(reset.POST, 'POST', '/auth/v1/reset', { body: { token: tokenValue, password: 'a brand new password' } })).status).toBe(200);
      expect((await call(reset.POST, 'POST', '/auth/v1/reset', { body: { token: tokenValue, password: 'another new password' } })).body.error_code).toBe('otp_expired');
      expect((await call(keys.GET, 'GET', '/api/v1/keys', { token: account.accessToken })).status).toBe(401);
      expect((await call(token.POST, 'POST', '/auth/v1/token?grant_type=password', { body: { email: account.email, password: 'correct horse battery' } })).status).toBe(400);
      expect((await call(token.POST, 'POST', '/auth/v1/token?grant_type=password', { body: { email: account.email, password: 'a brand new password' } })).status).toBe(200);
    } finally {
      app.services.mailer = previous;
    }
  });
});

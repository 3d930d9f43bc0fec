import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as keys from '@/app/api/v1/keys/route';
import * as memory from '@/app/api/v1/memory/route';
import * as signup from '@/app/auth/v1/signup/route';
import { call } from '@/tests/helpers/http';
import { startTestApp, type TestApp } from '@/tests/helpers/services';

const JWT_SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long';
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ env: { NEXT_PUBLIC_SUPABASE_URL: 'https://project-ref.supabase.co', NEXT_PUBLIC_SUPABASE_ANON_KEY: 'anon-key', SUPABASE_JWT_SECRET: JWT_SECRET } });
});
afterAll(() => app.stop());

/** A session JWT as Supabase Auth issues it (HS256 with the project's JWT secret). */
const supabaseJwt = (sub: string, secret = JWT_SECRET) =>
  new SignJWT({ email: 'dev@company.com', role: 'authenticated', session_id: randomUUID(), aal: 'aal1' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setAudience('authenticated')
    .setIssuer('https://project-ref.supabase.co/auth/v1')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(secret));

describe('Supabase Auth mode', () => {
  it('accepts Supabase session JWTs, creates the account on first use, and the key works', async () => {
    const jwt = await supabaseJwt(randomUUID());
    const created = await call(keys.POST, 'POST', '/api/v1/keys', { token: jwt, body: { name: 'From Supabase' } });
    expect(created.status).toBe(201);
    const stored = await call(memory.POST, 'POST', '/api/v1/memory', { token: created.body.api_key, body: { content: 'Works with Supabase Auth', external_user_id: 'u' } });
    expect(stored.status).toBe(201);
    const again = await call(keys.GET, 'GET', '/api/v1/keys', { token: jwt });
    expect(again.body.keys).toHaveLength(1);
  });

  it('rejects JWTs signed with another secret', async () => {
    const forged = await supabaseJwt(randomUUID(), 'another-secret-that-is-also-long-enough-1234');
    expect((await call(keys.GET, 'GET', '/api/v1/keys', { token: forged })).status).toBe(401);
  });

  it('turns the built-in auth endpoints off', async () => {
    const res = await call(signup.POST, 'POST', '/auth/v1/signup', { body: { email: 'x@example.com', password: 'long-enough-pw' } });
    expect(res.status).toBe(404);
    expect(res.body.msg).toMatch(/Supabase Auth/);
  });
});

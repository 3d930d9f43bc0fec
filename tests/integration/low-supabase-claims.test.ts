import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as keys from '@/app/api/v1/keys/route';
import { call } from '@/tests/helpers/http';
import { startTestApp, type TestApp } from '@/tests/helpers/services';

// Supabase mode checks the issuer of session JWTs (another project signed with the same legacy secret is refused) and,
// when SUPABASE_REQUIRE_MFA is on, that the session was signed in with a second factor (aal2).

const JWT_SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long';
const PROJECT = 'https://project-ref.supabase.co';
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ env: { NEXT_PUBLIC_SUPABASE_URL: `${PROJECT}/`, NEXT_PUBLIC_SUPABASE_ANON_KEY: 'anon-key', SUPABASE_JWT_SECRET: JWT_SECRET } });
});
afterAll(() => app.stop());
afterEach(() => {
  app.services.env = { ...app.services.env, SUPABASE_REQUIRE_MFA: false };
});

const jwt = (claims: { iss?: string | null; aal?: string }) => {
  const token = new SignJWT({ email: 'dev@company.com', role: 'authenticated', session_id: randomUUID(), aal: claims.aal ?? 'aal1' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(randomUUID())
    .setAudience('authenticated')
    .setIssuedAt()
    .setExpirationTime('1h');
  if (claims.iss !== null) token.setIssuer(claims.iss ?? `${PROJECT}/auth/v1`);
  return token.sign(new TextEncoder().encode(JWT_SECRET));
};
const listKeys = async (token: string) => call(keys.GET, 'GET', '/api/v1/keys', { token });

describe('Supabase session JWT claims', () => {
  it("accepts the project's own issuer and refuses another project's or none", async () => {
    expect((await listKeys(await jwt({}))).status).toBe(200);
    for (const iss of ['https://other-project.supabase.co/auth/v1', `${PROJECT}/auth/v2`, null]) {
      const res = await listKeys(await jwt({ iss }));
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ detail: 'Invalid or missing session token' });
    }
  });

  it('with SUPABASE_REQUIRE_MFA, an aal1 session is refused and an aal2 one accepted', async () => {
    app.services.env = { ...app.services.env, SUPABASE_REQUIRE_MFA: true };
    const single = await listKeys(await jwt({ aal: 'aal1' }));
    expect(single.status).toBe(401);
    expect(single.body.detail).toMatch(/multi-factor/);
    expect((await listKeys(await jwt({ aal: 'aal2' }))).status).toBe(200);
  });

  it('without it, aal1 sessions work as before', async () => {
    expect((await listKeys(await jwt({ aal: 'aal1' }))).status).toBe(200);
  });
});

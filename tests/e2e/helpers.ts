import { randomUUID } from 'node:crypto';
import type { APIRequestContext } from '@playwright/test';

export const uniqueEmail = (prefix = 'e2e') => `${prefix}-${randomUUID().slice(0, 8)}@example.com`;

/** Signs up through the Supabase-compatible local auth endpoint and creates an API key, over HTTP. */
export async function signUpWithKey(request: APIRequestContext) {
  const email = uniqueEmail();
  const session = await request.post('/auth/v1/signup', { data: { email, password: 'correct horse battery' } });
  if (!session.ok()) throw new Error(`signup failed: ${session.status()}`);
  const { access_token: jwt } = await session.json();
  const key = await request.post('/v1/keys/', { headers: { Authorization: `Bearer ${jwt}` }, data: { name: 'E2E' } });
  const { api_key: apiKey, id: keyId } = await key.json();
  return { email, jwt, apiKey: apiKey as string, keyId: keyId as string };
}

import { randomUUID } from 'node:crypto';
import * as signup from '@/app/auth/v1/signup/route';
import * as keys from '@/app/api/v1/keys/route';
import type { Db } from '@/lib/db';
import { call } from './http';

export interface TestAccount {
  email: string;
  accessToken: string;
  refreshToken: string;
  apiKey: string;
  keyId: string;
}

/** Signs up a new dashboard user through the local auth endpoint and creates an API key with the session. */
export async function createAccount(): Promise<TestAccount> {
  const email = `user-${randomUUID()}@example.com`;
  const session = await call(signup.POST, 'POST', '/auth/v1/signup', { body: { email, password: 'correct horse battery' } });
  if (session.status !== 200) throw new Error(`signup failed: ${session.status} ${session.text}`);
  const key = await call(keys.POST, 'POST', '/api/v1/keys', { token: session.body.access_token, body: { name: 'Test' } });
  if (key.status !== 201) throw new Error(`key creation failed: ${key.status} ${key.text}`);
  return { email, accessToken: session.body.access_token, refreshToken: session.body.refresh_token, apiKey: key.body.api_key, keyId: key.body.id };
}

/** The account behind a test account's API key. */
export async function accountIdOf(db: Db, account: TestAccount): Promise<string> {
  return (await db.query<{ account_id: string }>('select account_id from api_keys where id = $1', [account.keyId]))[0]!.account_id;
}

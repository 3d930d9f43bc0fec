import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as keys from '@/app/api/v1/keys/route';
import * as memory from '@/app/api/v1/memory/route';
import { backupDatabase, restoreDatabase } from '@/lib/db/backup';
import { getSetting } from '@/lib/db/settings';
import { setServices } from '@/lib/services';
import { createAccount, type TestAccount } from '@/tests/helpers/accounts';
import { call } from '@/tests/helpers/http';
import { createTestDatabase, startTestApp, type TestApp, type TestDatabase } from '@/tests/helpers/services';

// Backups leave out the generated secret that signs local-auth session JWTs: whoever holds a backup file must not be
// able to mint a dashboard session for any user.

let app: TestApp;
let alice: TestAccount;
let target: TestDatabase;
let dir: string;

beforeAll(async () => {
  app = await startTestApp();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memory-layer-backup-secret-'));
  alice = await createAccount();
  await call(memory.POST, 'POST', '/api/v1/memory', { token: alice.apiKey, body: { content: 'Alice collects stamps', external_user_id: 'owner' } });
  target = await createTestDatabase();
});
afterAll(async () => {
  setServices(app.services);
  await target.stop();
  await app.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('backups and the session-signing secret', () => {
  it('a backup holds no auth secret; after a restore, API keys work and old dashboard sessions must sign in again', async () => {
    const secret = await getSetting(app.services.db, 'auth_secret');
    expect(secret).toMatch(/^[\w-]{40,}$/);
    const lines: string[] = [];
    await backupDatabase(app.services.db, (line) => void lines.push(line));
    const file = lines.join('\n');
    expect(file).not.toContain(secret);
    expect(file).not.toContain('"auth_secret"');
    // The rest of app_settings is kept (the embedding model the vectors were made with).
    expect(file).toContain('"embedding_model"');

    await restoreDatabase(target.db, lines);
    expect(await getSetting(target.db, 'auth_secret')).toBeUndefined();
    setServices({ ...app.services, db: target.db });
    try {
      expect((await call(memory.GET, 'GET', '/api/v1/memory', { token: alice.apiKey, query: { external_user_id: 'owner' } })).status).toBe(200);
      const session = await call(keys.GET, 'GET', '/api/v1/keys', { token: alice.accessToken });
      expect(session.status).toBe(401);
      expect(session.body).toEqual({ detail: expect.any(String) });
    } finally {
      setServices(app.services);
    }
  });
});

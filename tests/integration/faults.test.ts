import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as memory from '@/app/api/v1/memory/route';
import * as stats from '@/app/api/v1/memory/stats/route';
import { migrate } from '@/lib/db/migrate';
import { createPostgresDb } from '@/lib/db/postgres';
import { parseEnv } from '@/lib/env';
import { createServices, setServices } from '@/lib/services';
import { createAccount, type TestAccount } from '@/tests/helpers/accounts';
import { call } from '@/tests/helpers/http';
import { startTestApp, testEmbedder, type TestApp } from '@/tests/helpers/services';

describe('embedding provider down', () => {
  let app: TestApp;
  let account: TestAccount;
  beforeAll(async () => {
    app = await startTestApp();
    account = await createAccount();
  });
  afterAll(() => app.stop());

  it('answers 502 {detail} and stores nothing', async () => {
    const working = app.services.embedder;
    app.services.embedder = { id: working.id, dimensions: working.dimensions, embed: async () => Promise.reject(new Error('ECONNREFUSED embedding host')) };
    try {
      const res = await call(memory.POST, 'POST', '/api/v1/memory', { token: account.apiKey, body: { content: 'never half-stored', external_user_id: 'u' } });
      expect(res.status).toBe(502);
      expect(res.body).toEqual({ detail: 'The embedding provider failed. Nothing was stored; please retry.' });
    } finally {
      app.services.embedder = working;
    }
    const rows = await app.services.db.query("select id from memories where content = 'never half-stored'");
    expect(rows).toHaveLength(0);
  });
});

describe('database unreachable (postgres.js path)', () => {
  it('answers 503 {detail} while the database is down and recovers without a restart', async () => {
    const pglite = await PGlite.create({ extensions: { vector } });
    const port = 21_000 + Math.floor(Math.random() * 20_000);
    let server = new PGLiteSocketServer({ db: pglite, port, host: '127.0.0.1' });
    await server.start();
    const db = createPostgresDb(`postgres://postgres:postgres@127.0.0.1:${port}/postgres?sslmode=disable`, { max: 1 });
    await migrate(db);
    const services = await createServices(parseEnv({ LOG_LEVEL: 'silent' }), {
      db,
      embedder: testEmbedder(),
      rateLimiter: { limit: async (_k, limit) => ({ allowed: true, limit, remaining: limit, reset: 0, retryAfterSeconds: 1 }) },
    });
    setServices(services);
    try {
      const account = await createAccount();
      expect((await call(stats.GET, 'GET', '/api/v1/memory/stats', { token: account.apiKey })).status).toBe(200);
      await server.stop();
      const down = await call(stats.GET, 'GET', '/api/v1/memory/stats', { token: account.apiKey });
      expect(down.status).toBe(503);
      expect(down.body).toEqual({ detail: 'The database is unavailable. Please retry shortly.' });
      server = new PGLiteSocketServer({ db: pglite, port, host: '127.0.0.1' });
      await server.start();
      let recovered = 0;
      for (let attempt = 0; attempt < 20 && recovered !== 200; attempt++) {
        recovered = (await call(stats.GET, 'GET', '/api/v1/memory/stats', { token: account.apiKey })).status;
        if (recovered !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(recovered).toBe(200);
    } finally {
      setServices(undefined);
      await db.close();
      await server.stop();
      await pglite.close();
    }
  });
});

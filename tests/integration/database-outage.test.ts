// The database server dies while the app keeps running (npm run crash, third phase): every request must still be
// answered, 503 with {detail}, instead of waiting for ever in postgres.js's queue of statements (it retried one
// connection per queued statement with up to 20 s between attempts, so requests hung for minutes). Nothing a
// request was refused for may be written when the database comes back, and the same app recovers without a restart.
// The database is PGlite files behind pglite-socket in a child process, killed with SIGKILL, as in bench/crash.ts.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDatabaseServer } from '@/bench/lib';
import * as memory from '@/app/api/v1/memory/route';
import * as search from '@/app/api/v1/memory/search/route';
import * as stats from '@/app/api/v1/memory/stats/route';
import type { Db } from '@/lib/db';
import { migrate } from '@/lib/db/migrate';
import { createPostgresDb } from '@/lib/db/postgres';
import { parseEnv } from '@/lib/env';
import { createServices, setServices } from '@/lib/services';
import { accountIdOf, createAccount, type TestAccount } from '../helpers/accounts';
import { call } from '../helpers/http';
import { testEmbedder } from '../helpers/services';

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

const kill = async (child: ChildProcess) => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
};

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'memory-layer-outage-'));
let port = 0;
let server: ChildProcess;
let db: Db;
let owner: TestAccount;
let accountId = '';
const unlimited = { limit: async (_key: string, limit: number) => ({ allowed: true, limit, remaining: limit, reset: Date.now() + 60_000, retryAfterSeconds: 60 }) };

// It brings its own database server, so it runs once (in the postgres project), not once per database project.
describe.runIf(process.env.TEST_DB === 'postgres')('the database server killed while the app runs', () => {
  beforeAll(async () => {
    port = await freePort();
    server = await startDatabaseServer(path.join(dataDir, 'db'), port);
    // One connection, as over pglite-socket in npm run crash; a short wait for a connection keeps the test quick.
    db = createPostgresDb(`postgres://postgres:postgres@127.0.0.1:${port}/postgres?sslmode=disable`, { max: 1, acquireTimeoutMs: 500 });
    // The server may still be closing the readiness probe's connection: retry the first statement.
    for (let attempt = 0; ; attempt++) {
      try {
        await db.query('select 1');
        break;
      } catch (error) {
        if (attempt >= 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    await migrate(db);
    const env = parseEnv({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', NODE_ENV: 'test' });
    setServices(await createServices(env, { embedder: testEmbedder(), rateLimiter: unlimited, db }));
    owner = await createAccount();
    accountId = await accountIdOf(db, owner);
    const stored = await call(memory.POST, 'POST', '/api/v1/memory', { token: owner.apiKey, body: { content: 'I keep bees on the roof', external_user_id: 'outage' } });
    expect(stored.status).toBe(201);
  });
  afterAll(async () => {
    setServices(undefined);
    await db?.close();
    if (server) await kill(server);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers every request 503 while it is down, writes none of them afterwards, and recovers', { timeout: 60_000 }, async () => {
    await kill(server);
    const requests = Array.from({ length: 12 }, (_, i) =>
      i % 3 === 0
        ? call(stats.GET, 'GET', '/api/v1/memory/stats', { token: owner.apiKey, query: { external_user_id: 'outage' } })
        : i % 3 === 1
          ? call(memory.POST, 'POST', '/api/v1/memory', { token: owner.apiKey, body: { content: `Refused while down ${i}`, external_user_id: 'outage' } })
          : call(search.POST, 'POST', '/api/v1/memory/search', { token: owner.apiKey, body: { query: 'bees', external_user_id: 'outage' } }),
    );
    // Before the fix some of these never settled (the test timed out here).
    const answers = await Promise.all(requests);
    for (const answer of answers) {
      expect(answer.status).toBe(503);
      expect(typeof answer.body.detail).toBe('string');
    }

    // A transaction that could not start is never run later: its callback does not run once the database is back.
    let ran = false;
    const refused = await db
      .transaction(async (tx) => {
        ran = true;
        await tx.query("insert into memories (account_id, end_user_id, content) values ($1, 'outage', 'written after a refusal')", [accountId]);
      })
      .then(
        () => null,
        (error: { code?: string }) => error,
      );
    expect(refused?.code).toMatch(/^(CONNECT_TIMEOUT|ECONNREFUSED|CONNECTION_CLOSED|ECONNRESET)$/);

    server = await startDatabaseServer(path.join(dataDir, 'db'), port);
    let status = 0;
    for (let attempt = 0; attempt < 200 && status !== 200; attempt++) {
      status = (await call(stats.GET, 'GET', '/api/v1/memory/stats', { token: owner.apiKey, query: { external_user_id: 'outage' } })).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(200);
    const rows = await db.query<{ content: string }>("select content from memories where account_id = $1 and end_user_id = 'outage' order by content", [accountId]);
    expect(rows.map((row) => row.content)).toEqual(['I keep bees on the roof']);
    expect(ran).toBe(false);
    const after = await call(memory.POST, 'POST', '/api/v1/memory', { token: owner.apiKey, body: { content: 'Back after the outage', external_user_id: 'outage' } });
    expect(after.status).toBe(201);
  });
});

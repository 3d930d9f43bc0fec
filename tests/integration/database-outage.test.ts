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
import * as chat from '@/app/api/v1/chat/route';
import * as ingest from '@/app/api/v1/ingest/route';
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

  it('killed under a burst of writes, it still recovers without a restart', { timeout: 90_000 }, async () => {
    // What npm run crash's third phase does: writes in flight on every path (ingest, chat, store) when the database
    // dies. Against the production server, postgres.js was left by that in a state it never leaves (a TypeError inside
    // it, no statement sent again: the app never recovered, 2 of 2 crash runs); the pool now moves to a fresh client
    // (markUnreachable). In process this test has not reproduced that state (it passes on the previous code too): it
    // guards recovery under a burst, and npm run crash remains the check of the wedge itself.
    let acknowledged = 0;
    let stop = false;
    const write = (loop: number, i: number) =>
      loop % 3 === 0
        ? call(ingest.POST, 'POST', '/api/v1/ingest', { token: owner.apiKey, body: { userId: 'burst', messages: [{ role: 'user', content: `I visited city number ${loop}-${i} last week` }] } })
        : loop % 3 === 1
          ? call(chat.POST, 'POST', '/api/v1/chat', { token: owner.apiKey, body: { message: `I like the colour number ${loop}-${i}`, external_user_id: 'burst', conversation_id: `c${loop}` } })
          : call(memory.POST, 'POST', '/api/v1/memory', { token: owner.apiKey, body: { content: `Burst ${loop}-${i}`, external_user_id: 'burst', metadata: { session_id: `s${loop}` } } });
    const loops = Array.from({ length: 12 }, async (_, loop) => {
      for (let i = 0; !stop; i++) {
        const res = await write(loop, i);
        if (res.status < 300) acknowledged++;
        else await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });
    while (acknowledged < 30) await new Promise((resolve) => setTimeout(resolve, 10));
    await kill(server);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    server = await startDatabaseServer(path.join(dataDir, 'db'), port);
    stop = true;
    await Promise.all(loops);
    let status = 0;
    for (let attempt = 0; attempt < 300 && status !== 200; attempt++) {
      status = (await call(stats.GET, 'GET', '/api/v1/memory/stats', { token: owner.apiKey, query: { external_user_id: 'burst' } })).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(200);
    expect((await call(memory.POST, 'POST', '/api/v1/memory', { token: owner.apiKey, body: { content: 'Back after the burst', external_user_id: 'burst' } })).status).toBe(201);
  });
});

/**
 * A TCP proxy that holds each new client connection for `delayMs` before it connects upstream, then pipes both ways:
 * a database that accepts connections but is slow to start them (a server still recovering, a pooler in front).
 * What the client sends meanwhile (its startup message) stays buffered in the paused socket until the pipe starts.
 */
function startDelayingProxy(upstreamPort: number) {
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  };
  const proxy = {
    delayMs: 0,
    /** Upstream connections made, and how many of them were held back by a delay. */
    connected: 0,
    connectedAfterDelay: 0,
    server: net.createServer((client) => {
      track(client);
      client.pause();
      const delayMs = proxy.delayMs;
      const timer = setTimeout(() => {
        if (client.destroyed) return;
        const upstream = net.connect(upstreamPort, '127.0.0.1');
        track(upstream);
        upstream.on('connect', () => {
          proxy.connected++;
          if (delayMs > 0) proxy.connectedAfterDelay++;
          client.pipe(upstream);
          upstream.pipe(client);
        });
        // The database is down (refused) or went away: the client sees its connection close, as it would without us.
        upstream.on('close', () => client.destroy());
        client.on('close', () => upstream.destroy());
      }, delayMs);
      client.on('close', () => clearTimeout(timer));
    }),
    port: 0,
    /** Connections open through the proxy (client sides and upstream sides). */
    get open() {
      return sockets.size;
    },
    async start() {
      await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', () => resolve()));
      proxy.port = (proxy.server.address() as net.AddressInfo).port;
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => proxy.server.close(resolve));
    },
  };
  return proxy;
}

const slowDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'memory-layer-slow-handshake-'));
const ACQUIRE_MS = 300;

describe.runIf(process.env.TEST_DB === 'postgres')('the database back after an outage but slower to connect than a request waits', () => {
  let dbPort = 0;
  let dbServer: ChildProcess | undefined;
  let proxy: ReturnType<typeof startDelayingProxy>;
  let pool: Db | undefined;

  beforeAll(async () => {
    dbPort = await freePort();
    dbServer = await startDatabaseServer(path.join(slowDataDir, 'db'), dbPort);
    proxy = startDelayingProxy(dbPort);
    await proxy.start();
    pool = createPostgresDb(`postgres://postgres:postgres@127.0.0.1:${proxy.port}/postgres?sslmode=disable`, { max: 1, acquireTimeoutMs: ACQUIRE_MS });
    for (let attempt = 0; ; attempt++) {
      try {
        await pool.query('select 1');
        break;
      } catch (error) {
        if (attempt >= 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    await pool.query('create table refused_writes (note text not null)');
  });
  afterAll(async () => {
    await pool?.close();
    await proxy?.stop();
    if (dbServer) await kill(dbServer);
    fs.rmSync(slowDataDir, { recursive: true, force: true });
  });

  it('reconnects when every connection takes longer to start than a statement waits for one', { timeout: 90_000 }, async () => {
    const db = pool!;
    expect(await db.query<{ ok: number }>('select 1 as ok')).toEqual([{ ok: 1 }]);
    expect(proxy.connectedAfterDelay).toBe(0);

    // Every connection from now on is held 5 times as long as a statement waits for one.
    proxy.delayMs = ACQUIRE_MS * 5;
    await kill(dbServer!);
    // The pool's connection is closed (the proxy closed it after the database went away) before the writes are sent.
    while (proxy.open > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 100));
    // The first of these is the statement the pool's new connection is opened for; none may be written later.
    const duringOutage = await Promise.all(
      Array.from({ length: 3 }, (_, i) => db.query('insert into refused_writes (note) values ($1)', [`refused ${i}`]).then(() => null, (error: { code?: string }) => error.code)),
    );
    expect(duringOutage, 'each refused for want of a connection').toEqual(['CONNECT_TIMEOUT', 'CONNECT_TIMEOUT', 'CONNECT_TIMEOUT']);
    // Down for longer than one delayed connection attempt: the pool's attempts while it is down fail behind the proxy.
    await new Promise((resolve) => setTimeout(resolve, proxy.delayMs * 2));

    // Read before the restart: the pool's held connection may reach the database while startDatabaseServer still waits.
    const connectedBefore = proxy.connected;
    dbServer = await startDatabaseServer(path.join(slowDataDir, 'db'), dbPort);
    let answer: unknown = null;
    for (let attempt = 0; attempt < 200 && answer === null; attempt++) {
      answer = await db.query<{ ok: number }>('select 1 as ok').catch(() => null);
      if (answer === null) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(answer, 'reconnected').toEqual([{ ok: 1 }]);
    // It went through a delayed connection: the slow start it had to survive.
    expect(proxy.connected, 'connections through the proxy').toBeGreaterThan(connectedBefore);
    expect(proxy.connectedAfterDelay, 'delayed connections').toBeGreaterThan(0);
    // And it stays connected: the next statements need no new connection. Only the write made after recovery landed.
    const connectedNow = proxy.connected;
    await db.query('insert into refused_writes (note) values ($1)', ['after recovery']);
    expect(await db.query('select note from refused_writes'), 'written rows').toEqual([{ note: 'after recovery' }]);
    expect(proxy.connected, 'connections through the proxy after recovery').toBe(connectedNow);
  });
});

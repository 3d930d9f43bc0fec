import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { Db } from '@/lib/db';
import { migrate } from '@/lib/db/migrate';
import { createPgliteDb } from '@/lib/db/pglite';
import { createPostgresDb } from '@/lib/db/postgres';
import { createLocalEmbedder } from '@/lib/embeddings/local';
import { withBatchingAndCache } from '@/lib/embeddings/batching';
import type { Embedder } from '@/lib/embeddings';
import { parseEnv } from '@/lib/env';
import { createServices, setServices, type Services } from '@/lib/services';

let sharedEmbedder: Embedder | undefined;

/** The real local model, loaded once per test worker. */
export function testEmbedder(): Embedder {
  sharedEmbedder ??= withBatchingAndCache(createLocalEmbedder());
  return sharedEmbedder;
}

export interface TestDatabase {
  db: Db;
  stop(): Promise<void>;
}

/** A fresh real Postgres: PGlite in process, or (TEST_DB=postgres) postgres.js over pglite-socket. */
export async function createTestDatabase(kind = process.env.TEST_DB ?? 'pglite'): Promise<TestDatabase> {
  if (kind === 'postgres') {
    const pglite = await PGlite.create({ extensions: { vector } });
    const server = new PGLiteSocketServer({ db: pglite, port: 0, host: '127.0.0.1' });
    await server.start();
    // One connection: the socket server runs every connection on PGlite's single session.
    const db = createPostgresDb(`postgres://postgres:postgres@${server.getServerConn()}/postgres?sslmode=disable`, { max: 1 });
    await migrate(db);
    return {
      db,
      async stop() {
        await db.close();
        await server.stop();
        await pglite.close();
      },
    };
  }
  const db = await createPgliteDb();
  await migrate(db);
  return { db, stop: () => db.close() };
}

export interface TestApp {
  services: Services;
  dataDir: string;
  stop(): Promise<void>;
}

/** Installs fresh services (database, real embedder, chosen LLM, clock) for the route handlers. */
export async function startTestApp(
  options: { env?: Record<string, string>; overrides?: Partial<Omit<Services, 'env' | 'db'>> } = {},
): Promise<TestApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'memory-layer-test-'));
  const database = await createTestDatabase();
  const env = parseEnv({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', NODE_ENV: 'test', ...options.env });
  // Per-minute limits have their own tests; elsewhere they would only make tests depend on speed.
  const unlimited = { limit: async (_key: string, limit: number) => ({ allowed: true, limit, remaining: limit, reset: Date.now() + 60_000, retryAfterSeconds: 60 }) };
  const services = await createServices(env, { embedder: testEmbedder(), rateLimiter: unlimited, ...options.overrides, db: database.db });
  setServices(services);
  return {
    services,
    dataDir,
    async stop() {
      setServices(undefined);
      await database.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

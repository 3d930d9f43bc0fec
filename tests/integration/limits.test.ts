import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDb } from '@/lib/db/postgres';
import * as importRoute from '@/app/api/v1/import/route';
import * as memory from '@/app/api/v1/memory/route';
import * as status from '@/app/api/v1/status/route';
import { METADATA_MAX_BYTES } from '@/lib/schemas/common';
import { accountIdOf, createAccount, type TestAccount } from '@/tests/helpers/accounts';
import { call } from '@/tests/helpers/http';
import { startTestApp, type TestApp } from '@/tests/helpers/services';

let app: TestApp;
let alice: TestAccount;

beforeAll(async () => {
  app = await startTestApp({ env: { MAX_MEMORY_CHARS: '500' } });
  alice = await createAccount();
});
afterAll(async () => {
  await app.stop();
});

const importJsonl = (text: string) =>
  call(importRoute.POST, 'POST', '/api/v1/import', { token: alice.apiKey, rawBody: text, headers: { 'content-type': 'application/x-ndjson' } });
let nextId = 0;
const line = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ id: `00000000-0000-4000-8000-${String(++nextId).padStart(12, '0')}`, external_user_id: 'importer@example.com', content: 'An imported memory', ...extra });
const storedCount = async () =>
  (await app.services.db.query<{ n: number }>('select count(*)::int as n from memories where account_id = $1', [await accountIdOf(app.services.db, alice)]))[0]!.n;

describe('POST /v1/import applies the caps POST /v1/memory applies', () => {
  it('POST /v1/memory refuses content over MAX_MEMORY_CHARS (the cap import must match)', async () => {
    const res = await call(memory.POST, 'POST', '/api/v1/memory', { token: alice.apiKey, body: { content: 'x'.repeat(501), external_user_id: 'importer@example.com' } });
    expect(res.status).toBe(413);
  });

  it.each([
    ['content over MAX_MEMORY_CHARS', { content: 'x'.repeat(501) }, 'content'],
    ['metadata over METADATA_MAX_BYTES', { metadata: { blob: 'x'.repeat(METADATA_MAX_BYTES) } }, 'metadata'],
    ['metadata with a NUL character', { metadata: { note: 'a\u0000b' } }, 'metadata'],
    ['context over 8,000 characters', { context: 'y'.repeat(8_001) }, 'context'],
  ])('refuses %s with 422 naming the line, and writes nothing', async (_name, extra, field) => {
    const before = await storedCount();
    const res = await importJsonl([line(), line(), line(extra)].join('\n'));
    expect(res.status).toBe(422);
    expect(res.body.details[0].loc).toEqual(['body', 3, field]);
    expect(await storedCount()).toBe(before);
  });

  it('accepts lines at the caps', async () => {
    const res = await importJsonl(line({ content: 'z'.repeat(500), context: 'c'.repeat(8_000), metadata: { tag: 'ok' } }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ imported: 1 });
  });
});

describe('GET /v1/status storage', () => {
  it('does not read every row of the account: memories from memory_count, storage from storage_bytes (both kept by triggers)', async () => {
    const accountId = await accountIdOf(app.services.db, alice);
    await call(memory.POST, 'POST', '/api/v1/memory', { token: alice.apiKey, body: { content: 'A memory to measure', external_user_id: 'importer@example.com' } });
    // The counters say 2,000,000 memories and 3 GiB: the status follows them (a count or sum over the rows would not move).
    await app.services.db.query('update accounts set memory_count = 2000000, storage_bytes = 3221225472 where id = $1', [accountId]);
    const res = await call(status.GET, 'GET', '/api/v1/status', { token: alice.apiKey });
    expect(res.status).toBe(200);
    expect(res.body.memoriesStored).toBe(2_000_000);
    expect(res.body.storageUsedMb).toBe(3_072);
  });
});

/** The Postgres server binaries of the machine, when installed (PGlite cannot interrupt a running statement). */
function findPgBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return undefined;
  const versions = fs.readdirSync(root).sort().reverse();
  return versions.map((v) => path.join(root, v, 'bin')).find((bin) => fs.existsSync(path.join(bin, 'initdb')));
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A throwaway real Postgres server (run as the postgres user when the tests run as root). */
async function startRealPostgres(bin: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memory-layer-pg-'));
  const asRoot = process.getuid?.() === 0;
  const run = (tool: string, args: string[]) => execFileSync(asRoot ? 'runuser' : path.join(bin, tool), asRoot ? ['-u', 'postgres', '--', path.join(bin, tool), ...args] : args, { stdio: 'ignore' });
  if (asRoot) execFileSync('chown', ['postgres', dir]);
  const port = await freePort();
  run('initdb', ['-D', path.join(dir, 'data'), '-A', 'trust', '-U', 'postgres']);
  run('pg_ctl', ['-D', path.join(dir, 'data'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, '-l', path.join(dir, 'log'), '-w', 'start']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    stop() {
      run('pg_ctl', ['-D', path.join(dir, 'data'), '-m', 'immediate', 'stop']);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const pgBin = findPgBin();

describe.skipIf(!pgBin)('statement timeouts on Postgres (a real server: PGlite does not honour statement_timeout)', () => {
  let server: Awaited<ReturnType<typeof startRealPostgres>>;
  beforeAll(async () => {
    server = await startRealPostgres(pgBin!);
  });
  afterAll(() => server?.stop());

  it('a statement run for a request gives up after the timeout with SQLSTATE 57014', async () => {
    const db = createPostgresDb(server.url, { max: 1, statementTimeoutMs: 200 });
    try {
      const started = Date.now();
      await expect(db.query('select pg_sleep(2)')).rejects.toMatchObject({ code: '57014' });
      expect(Date.now() - started).toBeLessThan(1_500);
      // The connection is still usable afterwards.
      expect(await db.query('select 1 as one')).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
  });

  it('has a default timeout', async () => {
    const db = createPostgresDb(server.url, { max: 1 });
    try {
      const [row] = await db.query<{ statement_timeout: string }>('show statement_timeout');
      expect(row!.statement_timeout).not.toBe('0');
    } finally {
      await db.close();
    }
  });

  it('migrations (exec) and transactions that ask for more run past it; the timeout holds again afterwards', async () => {
    const db = createPostgresDb(server.url, { max: 1, statementTimeoutMs: 200 });
    try {
      await db.exec('select pg_sleep(0.5)');
      await db.transaction((tx) => tx.exec('select pg_sleep(0.5)'));
      await db.transaction((tx) => tx.query('select pg_sleep(0.5)'), { statementTimeoutMs: 5_000 });
      await expect(db.query('select pg_sleep(2)')).rejects.toMatchObject({ code: '57014' });
    } finally {
      await db.close();
    }
  });
});

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ingest from '@/app/api/v1/ingest/route';
import * as memory from '@/app/api/v1/memory/route';
import * as job from '@/app/api/v1/memory/maintenance/[job_type]/route';
import * as memoryById from '@/app/api/v1/memory/[memory_id]/route';
import * as search from '@/app/api/v1/search/route';
import type { Db } from '@/lib/db';
import { backupToFile, BackupError, describeTables, restoreDatabase, restoreFromFile } from '@/lib/db/backup';
import { createPgliteDb, DataDirInUseError } from '@/lib/db/pglite';
import { setSetting } from '@/lib/db/settings';
import { setServices } from '@/lib/services';
import { createAccount, type TestAccount } from '@/tests/helpers/accounts';
import { call } from '@/tests/helpers/http';
import { createTestDatabase, startTestApp, type TestApp, type TestDatabase } from '@/tests/helpers/services';

let app: TestApp;
let alice: TestAccount;
let bob: TestAccount;
let dir: string;
const targets: TestDatabase[] = [];

beforeAll(async () => {
  app = await startTestApp();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memory-layer-backup-'));
  alice = await createAccount();
  bob = await createAccount();
  // Every kind of row: memories with metadata, supersession history (a self-reference), entities and edges,
  // an archived memory, summaries with their sources, links, request log (identity ids) and usage counters.
  for (const content of ['I love hiking in the Alps.', 'I really love hiking in the Alps.', 'I love hiking in the Swiss Alps.', 'Biscuit loves long walks in Hyde Park']) {
    await call(memory.POST, 'POST', '/api/v1/memory', { token: alice.apiKey, body: { content, external_user_id: 'owner', metadata: { source: 'test', n: 1 } } });
  }
  await call(ingest.POST, 'POST', '/api/v1/ingest', { token: alice.apiKey, body: { userId: 'owner', messages: [{ role: 'user', content: 'I live in London and work at Acme.' }] } });
  await call(ingest.POST, 'POST', '/api/v1/ingest', { token: alice.apiKey, body: { userId: 'owner', messages: [{ role: 'user', content: 'I just moved to Bristol.' }] } });
  await call(memory.POST, 'POST', '/api/v1/memory', { token: bob.apiKey, body: { content: 'Bob prefers tea over coffee', external_user_id: 'bob-user' } });
  for (const jobType of ['summarization', 'link-optimization']) {
    await call(job.POST, 'POST', `/api/v1/memory/maintenance/${jobType}`, { token: alice.apiKey, params: { job_type: jobType } });
  }
  const archived = await call(memory.POST, 'POST', '/api/v1/memory', { token: alice.apiKey, body: { content: 'An old note to archive', external_user_id: 'owner' } });
  await app.services.db.query('update memories set archived_at = now() where id = $1', [archived.body.memory.id]);
  // More rows than one backup page, in a table with a one-column key and in one with a three-column key.
  await app.services.db.query(
    `insert into request_log (account_id, request_id, method, path, status, duration_ms)
     select a.id, 'req-' || g, 'GET', '/v1/memory/stats', 200, g % 50 from accounts a, generate_series(1, 700) g where a.id = (select account_id from api_keys limit 1)`,
  );
  await app.services.db.query(
    `insert into usage_counters (account_id, metric, period, value)
     select a.id, 'searches', '2020-' || lpad(g::text, 4, '0'), g from accounts a, generate_series(1, 600) g`,
  );
});

afterAll(async () => {
  setServices(app.services);
  for (const target of targets) await target.stop();
  await app.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Every row of every table, as JSON, in primary-key order. */
async function snapshot(db: Db): Promise<Record<string, unknown[]>> {
  const result: Record<string, unknown[]> = {};
  for (const table of await describeTables(db)) {
    const order = (table.primaryKey.length ? table.primaryKey : table.columns).map((column) => `"${column}"`).join(', ');
    result[table.name] = (await db.query<{ row: unknown }>(`select to_jsonb(t) as row from "${table.name}" t order by ${order}`)).map((r) => r.row);
  }
  return result;
}

async function freshDatabase(): Promise<TestDatabase> {
  const target = await createTestDatabase();
  targets.push(target);
  return target;
}

describe('backup and restore', () => {
  it('round-trips the whole database exactly through a compressed file, and the restored copy serves the API', async () => {
    const searchBody = { userId: 'owner', query: 'Where does the user live now?', limit: 5 };
    const searchBefore = await call(search.POST, 'POST', '/api/v1/search', { token: alice.apiKey, body: searchBody });
    expect(searchBefore.status).toBe(200);
    const before = await snapshot(app.services.db);
    expect(before.memories!.length).toBeGreaterThan(6);
    expect(before.memories!.some((row) => (row as { superseded_by: string | null }).superseded_by)).toBe(true);
    expect(before.memories!.some((row) => (row as { archived_at: string | null }).archived_at)).toBe(true);
    expect(before.summary_sources!.length).toBeGreaterThan(0);
    expect(before.memory_links!.length).toBeGreaterThan(0);
    expect(before.edges!.length).toBeGreaterThan(0);
    expect(before.request_log!.length).toBeGreaterThan(700);
    expect(before.usage_counters!.length).toBeGreaterThan(1200);

    const file = path.join(dir, 'full.jsonl.gz');
    const header = await backupToFile(app.services.db, file);
    expect(header.tables.find((table) => table.name === 'memories')!.rows).toBe(before.memories!.length);
    expect(fs.existsSync(`${file}.partial`)).toBe(false);

    const target = await freshDatabase();
    // As a server started on the new database would have done before the restore.
    await setSetting(target.db, 'embedding_model', 'some-other-model@3');
    const report = await restoreFromFile(target.db, file);
    expect(report.tables.find((table) => table.name === 'memories')!.rows).toBe(before.memories!.length);
    // Every row but the session-signing secret, which backups leave out (low-backup-secrets.test.ts).
    const withoutAuthSecret = (rows: Record<string, unknown[]>) => ({ ...rows, app_settings: rows.app_settings!.filter((row) => (row as { key: string }).key !== 'auth_secret') });
    expect(await snapshot(target.db)).toEqual(withoutAuthSecret(before));

    // The restored database is a working one: keys authenticate, search answers the same, new rows get new ids.
    setServices({ ...app.services, db: target.db });
    expect(searchBefore.body.memories.length).toBeGreaterThan(0);
    const searchAfter = await call(search.POST, 'POST', '/api/v1/search', { token: alice.apiKey, body: searchBody });
    expect(searchAfter.status).toBe(200);
    expect(searchAfter.body.memories.map((r: { id: string }) => r.id)).toEqual(searchBefore.body.memories.map((r: { id: string }) => r.id));
    const stored = await call(memory.POST, 'POST', '/api/v1/memory', { token: bob.apiKey, body: { content: 'Bob started learning Portuguese', external_user_id: 'bob-user' } });
    expect(stored.status).toBe(201);
    // Sequences a column owns continue after the restored values: request_log's identity ids, and the store order of
    // memories (stored_seq, which orders memories that share a timestamp).
    const [order] = await target.db.query<{ latest: string; restored_max: string }>(
      'select (select stored_seq from memories where id = $1)::text as latest, (select max(stored_seq) from memories where id <> $1)::text as restored_max',
      [stored.body.memory.id],
    );
    expect(Number(order!.restored_max)).toBeGreaterThan(0);
    expect(Number(order!.latest)).toBeGreaterThan(Number(order!.restored_max));
    const logIds = await target.db.query<{ id: string }>('select id from request_log order by id');
    expect(new Set(logIds.map((row) => String(row.id))).size).toBe(logIds.length);
    const counts = await target.db.query<{ memory_count: number; actual: string }>(
      `select a.memory_count, (select count(*) from memories m where m.account_id = a.id and m.archived_at is null and m.superseded_by is null and m.source <> 'summary') as actual from accounts a`,
    );
    for (const row of counts) expect(row.memory_count).toBe(Number(row.actual));
    setServices(app.services);
  });

  it('refuses to restore over existing data, and a truncated or foreign file leaves the target untouched', async () => {
    const file = path.join(dir, 'plain.jsonl');
    await backupToFile(app.services.db, file);
    await expect(restoreFromFile(app.services.db, file)).rejects.toThrow(/already holds/);

    const target = await freshDatabase();
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    await expect(restoreDatabase(target.db, lines.slice(0, -3))).rejects.toThrow(/incomplete/);
    await expect(restoreDatabase(target.db, ['{"format":"something-else"}'])).rejects.toBeInstanceOf(BackupError);
    await expect(restoreDatabase(target.db, [lines[0]!.replace(/"schema":"[^"]+"/, '"schema":"9999_from_the_future"')])).rejects.toThrow(/newer version/);
    await expect(restoreDatabase(target.db, [lines[0]!, '{"t":"no_such_table","r":{}}'])).rejects.toThrow(/unknown table/);
    const accounts = await target.db.query('select id from accounts');
    const memories = await target.db.query('select id from memories');
    expect(accounts).toHaveLength(0);
    expect(memories).toHaveLength(0);
    await expect(restoreFromFile(target.db, path.join(dir, 'missing.jsonl'))).rejects.toThrow(/No such file/);
  });

  it('deleting a memory in the restored copy leaves the original alone', async () => {
    const file = path.join(dir, 'copy.jsonl');
    await backupToFile(app.services.db, file);
    const target = await freshDatabase();
    await restoreFromFile(target.db, file);
    const [row] = await target.db.query<{ id: string }>("select id from memories where content like '%Hyde Park%'");
    setServices({ ...app.services, db: target.db });
    const deleted = await call(memoryById.DELETE, 'DELETE', `/api/v1/memory/${row!.id}`, { token: alice.apiKey, params: { memory_id: row!.id } });
    expect(deleted.status).toBe(200);
    setServices(app.services);
    expect(await app.services.db.query('select id from memories where id = $1', [row!.id])).toHaveLength(1);
  });
});

describe('embedded database files have one owner', () => {
  it('refuses to open files a live process holds, and takes over a lock left by a dead one', async () => {
    const dataDir = path.join(dir, 'pglite');
    const holder = spawn('sleep', ['30']);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(`${dataDir}.lock`, String(holder.pid));
    await expect(createPgliteDb(dataDir)).rejects.toBeInstanceOf(DataDirInUseError);
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('exit', resolve));
    const db = await createPgliteDb(dataDir);
    expect(fs.readFileSync(`${dataDir}.lock`, 'utf8')).toBe(String(process.pid));
    await db.close();
    expect(fs.existsSync(`${dataDir}.lock`)).toBe(false);
  });
});

// npm run crash [-- --db pglite|postgres|all --port 3600 --writes 400]
// Durability check: kill -9 in the middle of a write burst, start again, and check that every acknowledged store
// (201) is there, whole.
//   pglite:   the production server on embedded PGlite files (DATA_DIR) is killed and restarted.
//   postgres: the server on DATABASE_URL is killed and restarted; then the database server process itself is
//             killed mid-burst and restarted, and the same app process must recover without a restart.
// The Postgres here is PGlite-on-disk behind pglite-socket (the wire protocol Supabase speaks), in its own process.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createAccountAndKey, startServer, type Server } from './lib';

const { values } = parseArgs({
  options: { db: { type: 'string', default: 'all' }, port: { type: 'string', default: '3600' }, writes: { type: 'string', default: '400' } },
});
const port = Number(values.port);
const target = Number(values.writes);
let failed = false;

interface Acked {
  id: string;
  content: string;
}

/** Eight writers store until `target` or until the server stops answering; returns what was acknowledged. */
function burst(baseUrl: string, headers: Record<string, string>, label: string) {
  const acknowledged: Acked[] = [];
  let next = 0;
  let refused = 0;
  const writers = Array.from({ length: 8 }, async () => {
    while (next < target) {
      const content = `${label} memory ${next++} with some text to embed`;
      try {
        const res = await fetch(`${baseUrl}/v1/memory/`, { method: 'POST', headers, body: JSON.stringify({ content, external_user_id: `crash-${next % 10}` }) });
        if (res.status === 201) acknowledged.push({ id: ((await res.json()) as { memory: { id: string } }).memory.id, content });
        else refused += 1;
      } catch {
        return; // the server is gone
      }
    }
  });
  return { acknowledged, done: Promise.all(writers), refused: () => refused };
}

async function waitFor(condition: () => boolean) {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

function killAll(pids: number[]) {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

async function verify(baseUrl: string, headers: Record<string, string>, acknowledged: Acked[], what: string) {
  let missing = 0;
  let wrong = 0;
  for (const memory of acknowledged) {
    const res = await fetch(`${baseUrl}/v1/memory/${memory.id}`, { headers });
    if (res.status !== 200) missing += 1;
    else if (((await res.json()) as { content: string }).content !== memory.content) wrong += 1;
  }
  const stats = (await (await fetch(`${baseUrl}/v1/memory/stats`, { headers })).json()) as { total_memories: number };
  console.log(`  ${what}: ${acknowledged.length - missing} of ${acknowledged.length} acknowledged stores present, ${missing} missing, ${wrong} altered; ${stats.total_memories} memories in total (in-flight unacknowledged writes may or may not be there)`);
  if (missing > 0 || wrong > 0) failed = true;
}

async function crashPglite() {
  console.log('PGlite on disk (DATA_DIR): kill -9 the server mid-burst, restart it');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'memory-layer-crash-'));
  const env = { DATA_DIR: dataDir, DEFAULT_PLAN: 'enterprise' };
  let server = await startServer(port, env, { keepData: true });
  const headers = { authorization: `Bearer ${(await createAccountAndKey(server.baseUrl)).apiKey}`, 'content-type': 'application/json' };
  const run = burst(server.baseUrl, headers, 'PGlite crash');
  await waitFor(() => run.acknowledged.length >= target / 3);
  killAll(server.pids());
  await run.done;
  console.log(`  killed with -9 after ${run.acknowledged.length} acknowledged stores`);
  server = await startServer(port, env, { keepData: true });
  await verify(server.baseUrl, headers, run.acknowledged, 'after restart');
  await server.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

/** A Postgres-protocol server in its own process: PGlite files on disk behind pglite-socket, with pgvector. */
async function startDatabaseServer(dataDir: string, dbPort: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [path.join('node_modules', '@electric-sql', 'pglite-socket', 'dist', 'scripts', 'server.js'), `--db=${dataDir}`, `--port=${dbPort}`, '--extensions=@electric-sql/pglite-pgvector:vector'],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  for (let i = 0; i < 300; i++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(dbPort, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return child;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the database server did not start');
}

async function crashPostgres() {
  console.log('Postgres path (DATABASE_URL → a database server in its own process, data on disk)');
  const dbDir = fs.mkdtempSync(path.join(os.tmpdir(), 'memory-layer-crash-pg-'));
  const dbPort = port + 1;
  let database = await startDatabaseServer(dbDir, dbPort);
  // The socket server runs every connection on PGlite's one session, so the app uses one connection.
  const env = { DATABASE_URL: `postgres://postgres:postgres@127.0.0.1:${dbPort}/postgres?sslmode=disable`, DATABASE_POOL_SIZE: '1', DEFAULT_PLAN: 'enterprise' };
  let server: Server = await startServer(port, env);
  const headers = { authorization: `Bearer ${(await createAccountAndKey(server.baseUrl)).apiKey}`, 'content-type': 'application/json' };

  console.log(' 1. kill -9 the app server mid-burst, restart it');
  const first = burst(server.baseUrl, headers, 'Postgres app crash');
  await waitFor(() => first.acknowledged.length >= target / 3);
  killAll(server.pids());
  await first.done;
  console.log(`  killed with -9 after ${first.acknowledged.length} acknowledged stores`);
  server = await startServer(port, env);
  await verify(server.baseUrl, headers, first.acknowledged, 'after restart');

  console.log(' 2. kill -9 the database server mid-burst, restart it; the app keeps running');
  const second = burst(server.baseUrl, headers, 'Postgres database crash');
  await waitFor(() => second.acknowledged.length >= target / 3);
  killAll([database.pid!]);
  const ackedAtKill = second.acknowledged.length;
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const whileDown = await fetch(`${server.baseUrl}/v1/memory/stats`, { headers });
  console.log(`  database killed after ${ackedAtKill} acknowledged stores; while it is down the API answers ${whileDown.status} ${JSON.stringify(await whileDown.json())}`);
  database = await startDatabaseServer(dbDir, dbPort);
  await second.done;
  let recovered = false;
  for (let i = 0; i < 100 && !recovered; i++) {
    recovered = (await fetch(`${server.baseUrl}/v1/memory/stats`, { headers })).status === 200;
    if (!recovered) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  console.log(`  database restarted; app recovered without a restart: ${recovered}; ${second.refused()} stores were refused (503) while it was down`);
  if (!recovered) failed = true;
  await verify(server.baseUrl, headers, second.acknowledged, 'after the database restart');

  await server.stop();
  database.kill('SIGTERM');
  await new Promise((resolve) => database.once('exit', resolve));
  fs.rmSync(dbDir, { recursive: true, force: true });
}

if (values.db === 'pglite' || values.db === 'all') await crashPglite();
if (values.db === 'postgres' || values.db === 'all') await crashPostgres();
process.exitCode = failed ? 1 : 0;

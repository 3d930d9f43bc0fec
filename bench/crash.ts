// npm run crash [-- --db pglite|postgres|all --port 3600 --writes 400]
// Durability check: kill -9 in the middle of a burst of stores, chats, ingests and searches, start again, and check
// that every acknowledged write is there, whole: stores (201), chat turns answered memory_created: true, the
// memories an ingest answered with, and one search counted for every search answered 200.
//   pglite:   the production server on embedded PGlite files (DATA_DIR) is killed and restarted.
//   postgres: the server on DATABASE_URL is killed and restarted; then the database server process itself is
//             killed mid-burst and restarted, and the same app process must recover without a restart.
// The Postgres here is PGlite-on-disk behind pglite-socket (the wire protocol Supabase speaks), in its own process.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createAccountAndKey, startDatabaseServer, startServer, type Server } from './lib';

const { values } = parseArgs({
  options: { db: { type: 'string', default: 'all' }, port: { type: 'string', default: '3600' }, writes: { type: 'string', default: '400' } },
});
const port = Number(values.port);
const target = Number(values.writes);
let failed = false;

// npm run crash checks every kind of acknowledged write, not only stores: a chat turn answered with
// memory_created: true, the memories an ingest answered with, and the searches the usage counters were charged for.
type Kind = 'store' | 'chat' | 'ingest' | 'search';
const KINDS: Kind[] = ['store', 'chat', 'ingest', 'search'];

interface Acked {
  kind: 'store' | 'chat' | 'ingest';
  id?: string;
  user: string;
  content: string;
}

/** Eight writers send stores, chats, ingests and searches until `target` or until the server stops answering. */
function burst(baseUrl: string, headers: Record<string, string>, label: string) {
  const acknowledged: Acked[] = [];
  let searches = 0;
  let next = 0;
  let refused = 0;
  const post = (path: string, body: unknown) => fetch(`${baseUrl}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  const writers = Array.from({ length: 8 }, async () => {
    while (next < target) {
      const n = next++;
      const kind = KINDS[n % KINDS.length]!;
      const user = `crash-${kind}-${n % 10}`;
      const content = `${label} ${kind} ${n}: I keep a notebook about topic number ${n}`;
      try {
        if (kind === 'store') {
          const res = await post('/v1/memory/', { content, external_user_id: user });
          if (res.status === 201) acknowledged.push({ kind, id: ((await res.json()) as { memory: { id: string } }).memory.id, user, content });
          else refused += 1;
        } else if (kind === 'chat') {
          // One end user per chat turn, so the check can list exactly that user's memories.
          const chatUser = `crash-chat-${label.replace(/\W+/g, '-')}-${n}`;
          const res = await post('/v1/chat/', { message: content, external_user_id: chatUser });
          if (res.status === 200 && ((await res.json()) as { memory_created: boolean }).memory_created) acknowledged.push({ kind, user: chatUser, content });
          else refused += 1;
        } else if (kind === 'ingest') {
          const res = await post('/v1/ingest', { userId: user, messages: [{ role: 'user', content: `My name is Crash${n} and I live in Lisbon. ${content}.` }] });
          if (res.status === 200) {
            for (const memory of ((await res.json()) as { memories: { id: string; content: string }[] }).memories) acknowledged.push({ kind, id: memory.id, user, content: memory.content });
          } else refused += 1;
        } else {
          const res = await post('/v1/memory/search', { query: `topic number ${n}`, external_user_id: user });
          if (res.status === 200) searches += 1;
          else refused += 1;
        }
      } catch {
        return; // the server is gone
      }
    }
  });
  return { acknowledged, done: Promise.all(writers), refused: () => refused, searches: () => searches };
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

async function verify(baseUrl: string, headers: Record<string, string>, run: { acknowledged: Acked[]; searches: () => number }, searchesBefore: number, what: string) {
  const missing: Record<Acked['kind'], number> = { store: 0, chat: 0, ingest: 0 };
  const counts: Record<Acked['kind'], number> = { store: 0, chat: 0, ingest: 0 };
  let wrong = 0;
  for (const memory of run.acknowledged) {
    counts[memory.kind] += 1;
    if (memory.id) {
      const res = await fetch(`${baseUrl}/v1/memory/${memory.id}`, { headers });
      if (res.status !== 200) missing[memory.kind] += 1;
      else if (((await res.json()) as { content: string }).content !== memory.content) wrong += 1;
    } else {
      const res = await fetch(`${baseUrl}/v1/memory/?external_user_id=${encodeURIComponent(memory.user)}&limit=200`, { headers });
      const listed = res.status === 200 ? ((await res.json()) as { memories: { content: string }[] }).memories : [];
      if (!listed.some((m) => m.content === memory.content)) missing[memory.kind] += 1;
    }
  }
  const stats = (await (await fetch(`${baseUrl}/v1/memory/stats`, { headers })).json()) as { total_memories: number; usage: { searches_today: number } };
  const counted = stats.usage.searches_today - searchesBefore;
  const lostSearches = Math.max(0, run.searches() - counted);
  const parts = (Object.keys(counts) as Acked['kind'][]).map((kind) => `${kind} ${counts[kind] - missing[kind]}/${counts[kind]}`).join(', ');
  console.log(`  ${what}: acknowledged writes present: ${parts}; ${wrong} altered; searches answered ${run.searches()}, counted ${counted} (${lostSearches} uncounted); ${stats.total_memories} memories in total`);
  if (Object.values(missing).some((n) => n > 0) || wrong > 0 || lostSearches > 0) failed = true;
}

const searchesSoFar = async (baseUrl: string, headers: Record<string, string>) =>
  ((await (await fetch(`${baseUrl}/v1/memory/stats`, { headers })).json()) as { usage: { searches_today: number } }).usage.searches_today;

async function crashPglite() {
  console.log('PGlite on disk (DATA_DIR): kill -9 the server mid-burst, restart it');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'memory-layer-crash-'));
  const env = { DATA_DIR: dataDir, DEFAULT_PLAN: 'enterprise' };
  let server = await startServer(port, env, { keepData: true });
  const headers = { authorization: `Bearer ${(await createAccountAndKey(server.baseUrl)).apiKey}`, 'content-type': 'application/json' };
  const run = burst(server.baseUrl, headers, 'PGlite crash');
  await waitFor(() => run.acknowledged.length >= target / 4);
  killAll(server.pids());
  await run.done;
  console.log(`  killed with -9 after ${run.acknowledged.length} acknowledged writes and ${run.searches()} searches`);
  server = await startServer(port, env, { keepData: true });
  await verify(server.baseUrl, headers, run, 0, 'after restart');
  await server.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
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
  await waitFor(() => first.acknowledged.length >= target / 4);
  killAll(server.pids());
  await first.done;
  console.log(`  killed with -9 after ${first.acknowledged.length} acknowledged writes and ${first.searches()} searches`);
  server = await startServer(port, env);
  await verify(server.baseUrl, headers, first, 0, 'after restart');

  console.log(' 2. kill -9 the database server mid-burst, restart it; the app keeps running');
  const searchesBefore = await searchesSoFar(server.baseUrl, headers);
  const second = burst(server.baseUrl, headers, 'Postgres database crash');
  await waitFor(() => second.acknowledged.length >= target / 4);
  killAll([database.pid!]);
  const ackedAtKill = second.acknowledged.length;
  await new Promise((resolve) => setTimeout(resolve, 1000));
  // Every request must be answered while the database is down (lib/db/postgres.ts bounds the wait for a connection
  // at 10 s); one that is not answered within 30 s fails the check instead of hanging the script.
  const askedAt = Date.now();
  const whileDown = await fetch(`${server.baseUrl}/v1/memory/stats`, { headers, signal: AbortSignal.timeout(30_000) }).catch(() => null);
  if (whileDown) {
    console.log(`  database killed after ${ackedAtKill} acknowledged writes; while it is down the API answers ${whileDown.status} ${JSON.stringify(await whileDown.json())} in ${Date.now() - askedAt} ms`);
  } else {
    console.log(`  database killed after ${ackedAtKill} acknowledged writes; while it is down a status request got no answer within 30 s`);
    failed = true;
  }
  database = await startDatabaseServer(dbDir, dbPort);
  await second.done;
  let recovered = false;
  for (let i = 0; i < 100 && !recovered; i++) {
    recovered = (await fetch(`${server.baseUrl}/v1/memory/stats`, { headers })).status === 200;
    if (!recovered) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  console.log(`  database restarted; app recovered without a restart: ${recovered}; ${second.refused()} stores were refused (503) while it was down`);
  if (!recovered) failed = true;
  await verify(server.baseUrl, headers, second, searchesBefore, 'after the database restart');

  await server.stop();
  database.kill('SIGTERM');
  await new Promise((resolve) => database.once('exit', resolve));
  fs.rmSync(dbDir, { recursive: true, force: true });
}

if (values.db === 'pglite' || values.db === 'all') await crashPglite();
if (values.db === 'postgres' || values.db === 'all') await crashPostgres();
process.exitCode = failed ? 1 : 0;

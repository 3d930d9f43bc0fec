import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const ms = (value: number) => `${value.toFixed(1)} ms`;

/** Runs `task(i)` for i < count with at most `concurrency` in flight; returns each call's latency. */
export async function runPool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        const t0 = performance.now();
        await task(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

export interface Server {
  baseUrl: string;
  process: ChildProcess;
  /** The process ids of `next start` and its children (for kill -9 tests). */
  pids(): number[];
  rssMb(): number;
  stop(): Promise<void>;
}

/** Starts the production build (`next start`) on loopback with a fresh database; builds first if needed. */
export async function startServer(port: number, env: Record<string, string> = {}, options: { keepData?: boolean } = {}): Promise<Server> {
  if (buildIsStale()) {
    console.log('Building the app (next build)…');
    await new Promise<void>((resolve, reject) => spawn('npx', ['next', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] }).on('exit', (code) => (code === 0 ? resolve() : reject(new Error('build failed')))));
  }
  const dataDir = env.DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'memory-layer-bench-'));
  const child = spawn(path.join('node_modules', '.bin', 'next'), ['start', '-p', String(port), '-H', 'localhost'], {
    env: { ...process.env, LOG_LEVEL: 'warn', DEFAULT_PLAN: 'enterprise', ...env, DATA_DIR: dataDir },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  // Loopback only. Next proxies middleware rewrites over HTTP when the request's host differs from its own
  // hostname (vercel/next.js#94745): `localhost` on both sides keeps /v1 → /api/v1 in process.
  const baseUrl = `http://localhost:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${baseUrl}/api/v1/openapi.json`)).ok) break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  const serverPid = () => {
    // `next start` runs the server in a child process; measure the process that listens, i.e. the largest one.
    const pids = [child.pid!, ...childPids(child.pid!)];
    return pids.map((pid) => ({ pid, rss: rssOf(pid) })).sort((a, b) => b.rss - a.rss)[0]!.pid;
  };
  return {
    baseUrl,
    process: child,
    pids: () => [child.pid!, ...childPids(child.pid!)],
    rssMb: () => rssOf(serverPid()) / 1024,
    async stop() {
      // `next start` leaves its server process behind when only the CLI is signalled: stop them all.
      const pids = [...childPids(child.pid!)];
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
      if (!options.keepData) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** True when there is no build or a source file changed after it. */
function buildIsStale(): boolean {
  if (!fs.existsSync('.next/BUILD_ID')) return true;
  const built = fs.statSync('.next/BUILD_ID').mtimeMs;
  const newest = (dir: string): number =>
    fs.readdirSync(dir, { withFileTypes: true }).reduce((max, entry) => {
      const full = path.join(dir, entry.name);
      return Math.max(max, entry.isDirectory() ? newest(full) : fs.statSync(full).mtimeMs);
    }, 0);
  return ['app', 'lib', 'components', 'supabase'].some((dir) => fs.existsSync(dir) && newest(dir) > built) || fs.statSync('proxy.ts').mtimeMs > built;
}

/** CPU time used so far, in ms, by the threads of the given processes (Linux /proc; all zero elsewhere). */
export interface ThreadCpu {
  /** Each process's main thread: HTTP, Next.js, PGlite. */
  main: number;
  /** Other threads with the process's name: JS worker threads (the embedding model). */
  workers: number;
  /** The runtime's own threads (V8 garbage collection and compilation, libuv). */
  runtime: number;
}

export function threadCpu(pids: number[]): ThreadCpu {
  const ticksToMs = 1000 / 100; // USER_HZ, 100 on Linux
  const total: ThreadCpu = { main: 0, workers: 0, runtime: 0 };
  for (const pid of pids) {
    let tids: string[];
    try {
      tids = fs.readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    const stat = (tid: string) => {
      try {
        const text = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
        return { name: text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')), ms: (Number(fields[11]) + Number(fields[12])) * ticksToMs };
      } catch {
        return undefined;
      }
    };
    const main = stat(String(pid));
    if (!main) continue;
    total.main += main.ms;
    for (const tid of tids) {
      if (tid === String(pid)) continue;
      const thread = stat(tid);
      if (thread) total[thread.name === main.name ? 'workers' : 'runtime'] += thread.ms;
    }
  }
  return total;
}

/**
 * Starts counting CPU; the returned function tells what each of `count` operations since then cost, by thread,
 * with what this process (the load generator, sharing the machine) spent: the measured ceiling of the machine's
 * cores for this kind of request. Empty where /proc is missing.
 */
export function cpuMeter(server: Server): (count: number, what: string) => string {
  const before = threadCpu(server.pids());
  const clientBefore = process.cpuUsage();
  return (count, what) => {
    const after = threadCpu(server.pids());
    const client = process.cpuUsage(clientBefore);
    const per = (value: number) => value / count;
    const main = per(after.main - before.main);
    const workers = per(after.workers - before.workers);
    const runtime = per(after.runtime - before.runtime);
    const generator = per((client.user + client.system) / 1000);
    const sum = main + workers + runtime + generator;
    if (main === 0) return '';
    const cores = os.availableParallelism();
    return `  CPU per ${what} (measured): main thread ${ms(main)}, embedding worker ${ms(workers)}, V8 and libuv threads ${ms(runtime)}, this load generator ${ms(generator)} = ${ms(sum)} → at most ≈ ${((cores * 1000) / sum).toFixed(0)}/s on ${cores} cores`;
  };
}

function childPids(pid: number): number[] {
  try {
    const direct = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return direct.flatMap((child) => [child, ...childPids(child)]);
  } catch {
    return [];
  }
}

function rssOf(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Signs up a dashboard user and creates an API key: the key for the API, the session for dashboard routes. */
export async function createAccountAndKey(baseUrl: string): Promise<{ apiKey: string; accessToken: string }> {
  const session = await (await fetch(`${baseUrl}/auth/v1/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: `bench-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`, password: 'benchmark-password' }) })).json();
  const key = await (await fetch(`${baseUrl}/v1/keys/`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${session.access_token}` }, body: JSON.stringify({ name: 'bench' }) })).json();
  return { apiKey: key.api_key as string, accessToken: session.access_token as string };
}

/** A Postgres-protocol server in its own process: PGlite files on disk behind pglite-socket, with pgvector. */
export async function startDatabaseServer(dataDir: string, dbPort: number): Promise<ChildProcess> {
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

// npm run load -- --scenario noisy [--seconds 60 --port 3500]
// Noisy neighbour: one tenant sends the worst inputs the API accepts (regex-hostile and entity-dense ingests of
// ~1 MB, 32k-character chat messages, bodies over the 1 MiB cap, account-wide maintenance) from four connections,
// while another tenant sends ordinary light requests one at a time. Prints the latency the quiet tenant saw alone
// and beside the noisy one: the worst of it is the figure the target is about (no request waits more than 1 s).
import { createAccountAndKey, ms, percentile, startServer } from './lib';

interface Options {
  seconds: number;
  port: number;
}

const QUIET_REQUESTS = [
  { method: 'GET', path: '/v1/memory/stats' },
  { method: 'POST', path: '/v1/memory/search', body: { query: 'What do I like to drink?', external_user_id: 'quiet-user' } },
  { method: 'POST', path: '/v1/memory/', body: { content: 'I drink green tea every morning', external_user_id: 'quiet-user' } },
  { method: 'POST', path: '/v1/context', body: { userId: 'quiet-user', messages: [{ role: 'user', content: 'What should I drink?' }], tokenBudget: 300 } },
] as const;

/** What the noisy tenant sends, in turn: each is the largest input of its kind the API accepts (or just over it). */
function hostileRequests(): { label: string; path: string; body: string }[] {
  const regexHostile = Array.from({ length: 31 }, () => ({ role: 'user', content: 'i like x '.repeat(3_500) }));
  const names = ['Ana', 'Berlin', 'Siemens', 'Lisbon', 'Pepper', 'Toyota', 'Marta', 'Oslo', 'Google', 'Rome'];
  const entityDense = Array.from({ length: 30 }, (_, m) => ({
    role: 'user',
    content: Array.from({ length: 400 }, (_, i) => `${names[(i + m) % names.length]} ${String.fromCharCode(65 + (i % 26))}${i} met ${names[(i * 7) % names.length]} in ${names[(i * 3) % names.length]}.`).join(' '),
  }));
  return [
    { label: 'regex-hostile ingest (31 × 31.5k chars)', path: '/v1/ingest', body: JSON.stringify({ userId: 'noisy-user', messages: regexHostile }) },
    { label: 'entity-dense ingest (30 messages)', path: '/v1/ingest', body: JSON.stringify({ userId: 'noisy-user', messages: entityDense }) },
    { label: '32k-char chat message', path: '/v1/chat/', body: JSON.stringify({ message: 'i work at '.repeat(3_200), external_user_id: 'noisy-user' }) },
    { label: 'body over 1 MiB', path: '/v1/memory/', body: JSON.stringify({ content: 'x'.repeat(1_100_000), external_user_id: 'noisy-user' }) },
    { label: 'account-wide maintenance', path: '/v1/memory/maintenance/all', body: '{}' },
  ];
}

/** A quiet request that took long, with the server's own account of it (Server-Timing: embed, db, app, total). */
interface SlowRequest {
  path: string;
  ms: number;
  serverTiming: string;
}

async function quietLoop(baseUrl: string, headers: Record<string, string>, until: number, slow: SlowRequest[] = []): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; Date.now() < until; i++) {
    const spec = QUIET_REQUESTS[i % QUIET_REQUESTS.length]!;
    const t0 = performance.now();
    const res = await fetch(`${baseUrl}${spec.path}`, { method: spec.method, headers, body: 'body' in spec ? JSON.stringify(spec.body) : undefined });
    await res.arrayBuffer();
    const elapsed = performance.now() - t0;
    latencies.push(elapsed);
    if (elapsed > SLOW_MS) slow.push({ path: `${spec.method} ${spec.path}`, ms: elapsed, serverTiming: res.headers.get('server-timing') ?? '' });
    // A light tenant: about five requests a second.
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return latencies;
}

/** Quiet requests slower than this are listed with their Server-Timing (where the time went inside the handler). */
const SLOW_MS = 500;

const summary = (values: number[]) =>
  `${values.length} requests, p50 ${ms(percentile(values, 50))}, p95 ${ms(percentile(values, 95))}, p99 ${ms(percentile(values, 99))}, worst ${ms(Math.max(...values))}, over 1 s: ${values.filter((v) => v > 1000).length}`;

export async function runNoisyNeighbour({ seconds, port }: Options): Promise<boolean> {
  const server = await startServer(port, { DEFAULT_PLAN: 'enterprise' });
  try {
    const quiet = await createAccountAndKey(server.baseUrl);
    const noisy = await createAccountAndKey(server.baseUrl);
    const quietHeaders = { authorization: `Bearer ${quiet.apiKey}`, 'content-type': 'application/json' };
    const noisyHeaders = { authorization: `Bearer ${noisy.apiKey}`, 'content-type': 'application/json' };
    // Warm up the model and the quiet tenant's rows.
    await quietLoop(server.baseUrl, quietHeaders, Date.now() + 3_000);

    const alone = await quietLoop(server.baseUrl, quietHeaders, Date.now() + (seconds / 3) * 1000);
    console.log(`Quiet tenant alone:           ${summary(alone)}`);

    const until = Date.now() + seconds * 1000;
    const hostile = hostileRequests();
    const noisyStats = new Map<string, { statuses: Record<number, number>; latencies: number[] }>();
    const noisyLoops = Array.from({ length: 4 }, async (_, worker) => {
      for (let i = worker; Date.now() < until; i += 4) {
        const spec = hostile[i % hostile.length]!;
        const t0 = performance.now();
        let status = 0;
        try {
          const res = await fetch(`${server.baseUrl}${spec.path}`, { method: 'POST', headers: noisyHeaders, body: spec.body });
          await res.arrayBuffer();
          status = res.status;
        } catch {
          status = -1;
        }
        const entry = noisyStats.get(spec.label) ?? { statuses: {}, latencies: [] };
        entry.statuses[status] = (entry.statuses[status] ?? 0) + 1;
        entry.latencies.push(performance.now() - t0);
        noisyStats.set(spec.label, entry);
      }
    });
    const slow: SlowRequest[] = [];
    const [beside] = await Promise.all([quietLoop(server.baseUrl, quietHeaders, until, slow), ...noisyLoops]);
    console.log(`Quiet tenant beside the noisy: ${summary(beside!)}`);
    // The handler's total against what the client saw: the difference waited before the handler ran (a busy event loop).
    for (const request of slow) console.log(`  slow: ${request.path.padEnd(26)} ${ms(request.ms).padStart(10)}  ${request.serverTiming}`);
    for (const [label, entry] of noisyStats) {
      console.log(`  noisy: ${label.padEnd(40)} ${JSON.stringify(entry.statuses)} p50 ${ms(percentile(entry.latencies, 50))} worst ${ms(Math.max(...entry.latencies))}`);
    }
    console.log(`Server RSS ${server.rssMb().toFixed(0)} MiB. Target: the quiet tenant's worst ≤ 1000 ms (benchmark, not a test).`);
    return (beside ?? []).length > 0;
  } finally {
    await server.stop();
  }
}

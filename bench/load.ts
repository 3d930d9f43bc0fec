// npm run load [-- --seconds 60 --concurrency 32 --port 3500 --scenario mixed|noisy]
// Bounded load on loopback only, against the production build on a fresh database. Prints figures.
//   mixed (default): store / search / chat / context traffic, then checks that every acknowledged store (201) can be
//                    read back.
//   noisy:           one tenant sends the worst inputs it can while another sends light requests; prints the latency
//                    the light tenant saw (bench/noisy-neighbour.ts).
import { parseArgs } from 'node:util';
import { createAccountAndKey, ms, percentile, startServer } from './lib';
import { runNoisyNeighbour } from './noisy-neighbour';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '60' }, concurrency: { type: 'string', default: '32' }, port: { type: 'string', default: '3500' }, scenario: { type: 'string', default: 'mixed' } },
});
if (values.scenario === 'noisy') {
  process.exitCode = (await runNoisyNeighbour({ seconds: Number(values.seconds), port: Number(values.port) })) ? 0 : 1;
  process.exit();
}
const SECONDS = Number(values.seconds);
const CONCURRENCY = Number(values.concurrency);
const USERS = 50;

type Op = 'store' | 'search' | 'chat' | 'context';
const MIX: Op[] = ['store', 'store', 'store', 'search', 'search', 'search', 'context', 'context', 'chat'];
const TOPICS = ['hiking in the Alps', 'a new job at a robotics startup', 'learning the cello', 'a beagle named Pepper', 'training for a marathon', 'green tea instead of coffee', 'a trip to Lisbon', 'Rust firmware'];

const server = await startServer(Number(values.port), { DEFAULT_PLAN: 'enterprise' });
try {
  const { apiKey } = await createAccountAndKey(server.baseUrl);
  const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
  const latencies: Record<Op, number[]> = { store: [], search: [], chat: [], context: [] };
  const statuses = new Map<number, number>();
  const acknowledged: string[] = [];
  let counter = 0;
  const deadline = Date.now() + SECONDS * 1000;

  const request = async (op: Op, i: number) => {
    const user = `load-user-${i % USERS}@example.com`;
    const topic = TOPICS[i % TOPICS.length]!;
    const [path, body] =
      op === 'store' ? ['/v1/memory/', { content: `Load note ${i}: I talked about ${topic}.`, external_user_id: user }]
      : op === 'search' ? ['/v1/memory/search', { query: `What about ${topic}?`, external_user_id: user, similarity_threshold: 0.1 }]
      : op === 'chat' ? ['/v1/chat/', { message: `Tell me about ${topic}, please.`, external_user_id: user }]
      : ['/v1/context', { userId: user, messages: [{ role: 'user', content: `What do you know about ${topic}?` }], tokenBudget: 500 }];
    const t0 = performance.now();
    const res = await fetch(`${server.baseUrl}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    const json = (await res.json()) as { memory?: { id: string } };
    latencies[op].push(performance.now() - t0);
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    if (op === 'store' && res.status === 201 && json.memory) acknowledged.push(json.memory.id);
  };

  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (Date.now() < deadline) {
      const i = counter++;
      await request(MIX[i % MIX.length]!, i);
    }
  }));
  const elapsed = (performance.now() - started) / 1000;

  let missing = 0;
  for (let i = 0; i < acknowledged.length; i += 16) {
    const batch = acknowledged.slice(i, i + 16);
    const found = await Promise.all(batch.map((id) => fetch(`${server.baseUrl}/v1/memory/${id}`, { headers }).then((r) => r.status)));
    missing += found.filter((status) => status !== 200).length;
  }

  const total = [...statuses.values()].reduce((a, b) => a + b, 0);
  const serverErrors = [...statuses.entries()].filter(([status]) => status >= 500).reduce((a, [, n]) => a + n, 0);
  console.log(`Load: ${total} requests in ${elapsed.toFixed(1)} s at concurrency ${CONCURRENCY} (${(total / elapsed).toFixed(0)} req/s), statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
  for (const op of Object.keys(latencies) as Op[]) {
    const values = latencies[op];
    console.log(`  ${op.padEnd(8)} ${String(values.length).padStart(6)} requests  p50 ${ms(percentile(values, 50))}  p99 ${ms(percentile(values, 99))}`);
  }
  console.log(`  5xx: ${serverErrors}; acknowledged stores: ${acknowledged.length}; missing afterwards: ${missing}; server RSS ${server.rssMb().toFixed(0)} MiB`);
  process.exitCode = serverErrors > 0 || missing > 0 ? 1 : 0;
} finally {
  await server.stop();
}

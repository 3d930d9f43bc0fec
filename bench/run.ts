// npm run bench [-- --memories 10000 --users 100 --port 3300]
// Embedded default (PGlite + local embeddings) over real HTTP on loopback; prints figures, asserts nothing.
import { parseArgs } from 'node:util';
import { createLocalEmbedder } from '@/lib/embeddings/local';
import { createAccountAndKey, ms, percentile, runPool, startServer } from './lib';

const { values } = parseArgs({
  options: {
    memories: { type: 'string', default: '10000' },
    users: { type: 'string', default: '100' },
    port: { type: 'string', default: '3300' },
    searches: { type: 'string', default: '300' },
  },
});
const MEMORIES = Number(values.memories);
const USERS = Number(values.users);
const SEARCHES = Number(values.searches);

const SUBJECTS = ['I', 'My sister', 'My manager', 'Our team', 'My partner', 'My best friend', 'My dad', 'The client'];
const VERBS = ['loves', 'is learning', 'switched to', 'complained about', 'recommended', 'is building', 'bought', 'visited'];
const OBJECTS = ['React dashboards', 'the Rust compiler', 'a trip to Lisbon', 'sourdough baking', 'a Pro plan upgrade', 'marathon training', 'jazz piano lessons', 'a used Tesla', 'the Kubernetes cluster', 'vegan recipes', 'a golden retriever named Max', 'Python data pipelines', 'the Alps in winter', 'dark mode in VS Code', 'a new apartment in Bristol', 'chess openings'];
const WHEN = ['last week', 'every morning', 'since 2019', 'on weekends', 'after the conference', 'this summer', 'for two years', 'yesterday'];
const pick = <T>(items: T[], seed: number) => items[Math.abs(seed) % items.length]!;
const memoryText = (i: number) => `${pick(SUBJECTS, i)} ${pick(VERBS, i * 7 + 3)} ${pick(OBJECTS, i * 13 + 5)} ${pick(WHEN, i * 17 + 1)} (note ${i}).`;
const queryText = (i: number) => `What does ${pick(SUBJECTS, i * 3).toLowerCase()} think about ${pick(OBJECTS, i * 11 + 2)}? #${i}`;

async function measureEmbedding() {
  const embedder = createLocalEmbedder();
  let t0 = performance.now();
  await embedder.embed(['warm up']);
  const loadMs = performance.now() - t0;
  const singles: number[] = [];
  for (let i = 0; i < 50; i++) {
    t0 = performance.now();
    await embedder.embed([queryText(i)]);
    singles.push(performance.now() - t0);
  }
  const batch = Array.from({ length: 64 }, (_, i) => memoryText(i));
  t0 = performance.now();
  await embedder.embed(batch);
  const perTextInBatch = (performance.now() - t0) / batch.length;
  return { loadMs, singleP50: percentile(singles, 50), singleP95: percentile(singles, 95), perTextInBatch };
}

async function main() {
  console.log(`Memory Layer benchmark — embedded default, ${MEMORIES} memories across ${USERS} end users, loopback HTTP`);
  const embedding = await measureEmbedding();
  console.log(`\nEmbedding (local USE-lite, in process)`);
  console.log(`  model load + first call ${ms(embedding.loadMs)}; one text p50 ${ms(embedding.singleP50)}, p95 ${ms(embedding.singleP95)}; per text in a batch of 64 ${ms(embedding.perTextInBatch)}`);

  const server = await startServer(Number(values.port));
  try {
    const apiKey = await createAccountAndKey(server.baseUrl);
    const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${server.baseUrl}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`${path} -> ${res.status} ${await res.text()}`);
      return res.json();
    };

    const store = await runPool(MEMORIES, 8, (i) => post('/v1/memory/', { content: memoryText(i), external_user_id: `user-${i % USERS}@example.com` }));
    console.log(`\nStore (POST /v1/memory/, concurrency 8, ${MEMORIES} requests)`);
    console.log(`  p50 ${ms(percentile(store.latencies, 50))}, p95 ${ms(percentile(store.latencies, 95))}; throughput ${(MEMORIES / store.seconds).toFixed(0)} memories/s`);

    const searchBody = (i: number) => ({ query: queryText(i), external_user_id: `user-${i % USERS}@example.com`, limit: 10, similarity_threshold: 0.2 });
    const serial = await runPool(SEARCHES, 1, (i) => post('/v1/memory/search', searchBody(i)));
    console.log(`\nSearch (POST /v1/memory/search, ${MEMORIES / USERS} memories per end user, distinct queries)`);
    console.log(`  concurrency 1:  p50 ${ms(percentile(serial.latencies, 50))}, p95 ${ms(percentile(serial.latencies, 95))}, p99 ${ms(percentile(serial.latencies, 99))}`);
    const parallel = await runPool(SEARCHES * 3, 16, (i) => post('/v1/memory/search', searchBody(SEARCHES + i)));
    console.log(`  concurrency 16: p50 ${ms(percentile(parallel.latencies, 50))}, p95 ${ms(percentile(parallel.latencies, 95))}, p99 ${ms(percentile(parallel.latencies, 99))}; ${(SEARCHES * 3 / parallel.seconds).toFixed(0)} searches/s`);
    const cached = await runPool(SEARCHES, 1, (i) => post('/v1/memory/search', searchBody(i)));
    console.log(`  repeated queries (embedding cache hit), concurrency 1: p50 ${ms(percentile(cached.latencies, 50))}, p95 ${ms(percentile(cached.latencies, 95))}`);

    console.log(`\nServer RSS after the run: ${server.rssMb().toFixed(0)} MiB`);
    console.log(`\nReference (memory-layer-api docs): embed ~400 ms + search ~100 ms per call ≈ 500 ms.`);
  } finally {
    await server.stop();
  }
}

await main();

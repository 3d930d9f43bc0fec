// npm run bench [-- --memories 100000 --users 1000 --port 3300 --searches 300 --single 2000 --batch 500]
// Embedded default (PGlite + local embeddings) over real HTTP on loopback; prints figures, asserts nothing.
// Where the time goes comes from each response's Server-Timing header (embedding, database, the rest).
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createLocalEmbedder } from '@/lib/embeddings/local';
import { cpuMeter, createAccountAndKey, ms, percentile, runPool, startServer } from './lib';

const { values } = parseArgs({
  options: {
    memories: { type: 'string', default: '100000' },
    users: { type: 'string', default: '1000' },
    port: { type: 'string', default: '3300' },
    searches: { type: 'string', default: '300' },
    single: { type: 'string', default: '2000' },
    batch: { type: 'string', default: '500' },
  },
});
const MEMORIES = Number(values.memories);
const USERS = Number(values.users);
const SEARCHES = Number(values.searches);
const SINGLE = Math.min(Number(values.single), MEMORIES);
const BATCH = Number(values.batch);

const SUBJECTS = ['I', 'My sister', 'My manager', 'Our team', 'My partner', 'My best friend', 'My dad', 'The client'];
const VERBS = ['loves', 'is learning', 'switched to', 'complained about', 'recommended', 'is building', 'bought', 'visited'];
const OBJECTS = ['React dashboards', 'the Rust compiler', 'a trip to Lisbon', 'sourdough baking', 'a Pro plan upgrade', 'marathon training', 'jazz piano lessons', 'a used Tesla', 'the Kubernetes cluster', 'vegan recipes', 'a golden retriever named Max', 'Python data pipelines', 'the Alps in winter', 'dark mode in VS Code', 'a new apartment in Bristol', 'chess openings'];
const WHEN = ['last week', 'every morning', 'since 2019', 'on weekends', 'after the conference', 'this summer', 'for two years', 'yesterday'];
const pick = <T>(items: T[], seed: number) => items[Math.abs(seed) % items.length]!;
const memoryText = (i: number) => `${pick(SUBJECTS, i)} ${pick(VERBS, i * 7 + 3)} ${pick(OBJECTS, i * 13 + 5)} ${pick(WHEN, i * 17 + 1)} (note ${i}).`;
const queryText = (i: number) => `What does ${pick(SUBJECTS, i * 3).toLowerCase()} think about ${pick(OBJECTS, i * 11 + 2)}? #${i}`;
const userOf = (i: number) => `user-${i % USERS}@example.com`;

/** Sums of the Server-Timing phases over a set of responses. */
class TimeSpent {
  private sums = { embed: 0, db: 0, app: 0, total: 0 };
  private queries = 0;
  private count = 0;
  add(header: string | null) {
    if (!header) return;
    this.count += 1;
    for (const part of header.split(',')) {
      const [name, ...params] = part.trim().split(';');
      const duration = Number(params.find((p) => p.startsWith('dur='))?.slice(4));
      if (name && name in this.sums && Number.isFinite(duration)) this.sums[name as keyof typeof this.sums] += duration;
      const desc = params.find((p) => p.startsWith('desc='));
      if (name === 'db' && desc) this.queries += Number.parseInt(desc.slice(6), 10) || 0;
    }
  }
  toString() {
    if (this.count === 0) return 'no Server-Timing';
    const mean = (value: number) => value / this.count;
    const share = (value: number) => `${((value / this.sums.total) * 100).toFixed(0)}%`;
    return `where the time goes (mean per request, server side): embedding ${ms(mean(this.sums.embed))} (${share(this.sums.embed)}), SQL ${ms(mean(this.sums.db))} (${share(this.sums.db)}, ${(this.queries / this.count).toFixed(1)} statements), the rest ${ms(mean(this.sums.app))} (${share(this.sums.app)}); handler total ${ms(mean(this.sums.total))}`;
  }
}

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

const latencyLine = (latencies: number[]) => `p50 ${ms(percentile(latencies, 50))}, p95 ${ms(percentile(latencies, 95))}, p99 ${ms(percentile(latencies, 99))}`;

async function main() {
  console.log(`Memory Layer benchmark — embedded default (PGlite + local USE-lite), ${MEMORIES.toLocaleString('en')} memories across ${USERS.toLocaleString('en')} end users, loopback HTTP`);
  const embedding = await measureEmbedding();
  console.log(`\nEmbedding (local USE-lite, in this process)`);
  console.log(`  model load + first call ${ms(embedding.loadMs)}; one text p50 ${ms(embedding.singleP50)}, p95 ${ms(embedding.singleP95)}; per text in a batch of 64 ${ms(embedding.perTextInBatch)}`);

  const server = await startServer(Number(values.port));
  try {
    const { apiKey, accessToken } = await createAccountAndKey(server.baseUrl);
    const request = async (path: string, body: unknown, options: { token?: string; spent?: TimeSpent; contentType?: string } = {}) => {
      const res = await fetch(`${server.baseUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.token ?? apiKey}`, 'content-type': options.contentType ?? 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`${path} -> ${res.status} ${await res.text()}`);
      options.spent?.add(res.headers.get('server-timing'));
      return res.json();
    };

    // 1. One memory per request.
    const storeSpent = new TimeSpent();
    const storeCpu = cpuMeter(server);
    const store = await runPool(SINGLE, 8, (i) => request('/v1/memory/', { content: memoryText(i), external_user_id: userOf(i) }, { spent: storeSpent }));
    const storeCpuLine = storeCpu(SINGLE, 'store');
    console.log(`\nStore, one memory per request (POST /v1/memory/, concurrency 8, ${SINGLE.toLocaleString('en')} requests)`);
    console.log(`  ${latencyLine(store.latencies)}; ${(SINGLE / store.seconds).toFixed(0)} memories/s`);
    console.log(`  ${storeSpent}`);
    if (storeCpuLine) console.log(storeCpuLine);

    // 2. The rest in batches (JSON Lines through POST /v1/import; the server embeds them in batches).
    const remaining = MEMORIES - SINGLE;
    if (remaining > 0) {
      const importSpent = new TimeSpent();
      const batches = Math.ceil(remaining / BATCH);
      let stored = 0;
      let lastReport = performance.now();
      const bulk = await runPool(batches, 2, async (b) => {
        const from = SINGLE + b * BATCH;
        const lines = [];
        for (let i = from; i < Math.min(from + BATCH, MEMORIES); i++) lines.push(JSON.stringify({ id: randomUUID(), external_user_id: userOf(i), content: memoryText(i) }));
        await request('/v1/import', lines.join('\n'), { contentType: 'application/x-ndjson', spent: importSpent });
        stored += lines.length;
        if (performance.now() - lastReport > 30_000) {
          lastReport = performance.now();
          console.log(`  … ${stored.toLocaleString('en')} of ${remaining.toLocaleString('en')} stored`);
        }
      });
      console.log(`\nBatch store (POST /v1/import, ${BATCH} memories per request, concurrency 2, ${remaining.toLocaleString('en')} memories)`);
      console.log(`  per batch ${latencyLine(bulk.latencies)}; ${(remaining / bulk.seconds).toFixed(0)} memories/s`);
      console.log(`  ${importSpent}`);
    }

    // 3. Search inside one end user (exact).
    const perUser = Math.round(MEMORIES / USERS);
    const searchBody = (i: number) => ({ query: queryText(i), external_user_id: userOf(i * 7), limit: 10, similarity_threshold: 0.2 });
    const serialSpent = new TimeSpent();
    const serial = await runPool(SEARCHES, 1, (i) => request('/v1/memory/search', searchBody(i), { spent: serialSpent }));
    console.log(`\nSearch inside one end user (POST /v1/memory/search, ~${perUser} memories per end user, exact, distinct queries)`);
    console.log(`  concurrency 1:  ${latencyLine(serial.latencies)}`);
    console.log(`  ${serialSpent}`);
    const parallelSpent = new TimeSpent();
    const parallelCpu = cpuMeter(server);
    const parallel = await runPool(SEARCHES * 3, 16, (i) => request('/v1/memory/search', searchBody(SEARCHES + i), { spent: parallelSpent }));
    const parallelCpuLine = parallelCpu(SEARCHES * 3, 'search');
    console.log(`  concurrency 16: ${latencyLine(parallel.latencies)}; ${((SEARCHES * 3) / parallel.seconds).toFixed(0)} searches/s`);
    console.log(`  ${parallelSpent}`);
    const cached = await runPool(SEARCHES, 16, (i) => request('/v1/memory/search', searchBody(i)));
    console.log(`  repeated queries (query embedding cached), concurrency 16: ${latencyLine(cached.latencies)}; ${(SEARCHES / cached.seconds).toFixed(0)} searches/s`);
    // The ceiling this machine allows, from the CPU the distinct-query run used per search in each thread.
    if (parallelCpuLine) console.log(parallelCpuLine);

    // 4. Hybrid search and context (the m3mory surface).
    const hybridSpent = new TimeSpent();
    const hybrid = await runPool(SEARCHES, 1, (i) => request('/v1/search', { userId: userOf(i * 5), query: queryText(SEARCHES * 5 + i), limit: 10 }, { spent: hybridSpent }));
    console.log(`\nHybrid search (POST /v1/search: vector + BM25 fused), concurrency 1: ${latencyLine(hybrid.latencies)}`);
    console.log(`  ${hybridSpent}`);
    const contextSpent = new TimeSpent();
    const context = await runPool(SEARCHES, 1, (i) => request('/v1/context', { userId: userOf(i * 3), messages: [{ role: 'user', content: queryText(SEARCHES * 7 + i) }], tokenBudget: 1000 }, { spent: contextSpent }));
    console.log(`Context (POST /v1/context, 1,000 tokens), concurrency 1: ${latencyLine(context.latencies)}`);
    console.log(`  ${contextSpent}`);

    // 5. Account-wide search: HNSW with iterative scans against the exact scan it approximates.
    const accountWide = async (exact: boolean, i: number, filter?: Record<string, unknown>) =>
      (await request('/api/dashboard/memories/search', { query: queryText(SEARCHES * 9 + i), limit: 10, similarity_threshold: 0, exact, ...filter }, { token: accessToken })) as { results: { memory: { id: string } }[] };
    const exactIds: string[][] = [];
    const approxIds: string[][] = [];
    const exactRun = await runPool(50, 1, async (i) => void exactIds.push((await accountWide(true, i)).results.map((r) => r.memory.id)));
    const hnswRun = await runPool(50, 1, async (i) => void approxIds.push((await accountWide(false, i)).results.map((r) => r.memory.id)));
    const recall = exactIds.reduce((sum, ids, i) => sum + ids.filter((id) => approxIds[i]!.includes(id)).length / Math.max(1, ids.length), 0) / exactIds.length;
    console.log(`\nAccount-wide search over all ${MEMORIES.toLocaleString('en')} memories (dashboard, all end users)`);
    console.log(`  exact scan: ${latencyLine(exactRun.latencies)}`);
    console.log(`  HNSW (iterative scan): ${latencyLine(hnswRun.latencies)}; recall@10 against the exact scan ${(recall * 100).toFixed(1)}%`);

    console.log(`\nServer RSS after the run: ${server.rssMb().toFixed(0)} MiB`);
    console.log(`\nReference (memory-layer-api docs): embed ~400 ms + search ~100 ms per call ≈ 500 ms.`);
  } finally {
    await server.stop();
  }
}

await main();

// The worst inputs a tenant can send, each at (or just over) its cap, through the real route handlers. Each test first
// asserts the input really is that big, then that the answer is the documented one and that what is stored stays
// bounded. Latency under this load is a benchmark (`npm run load -- --scenario noisy`), not a test.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as chat from '@/app/api/v1/chat/route';
import * as context from '@/app/api/v1/context/route';
import * as exportRoute from '@/app/api/v1/export/route';
import * as importRoute from '@/app/api/v1/import/route';
import * as ingest from '@/app/api/v1/ingest/route';
import * as memory from '@/app/api/v1/memory/route';
import * as prune from '@/app/api/v1/memory/prune/route';
import * as search from '@/app/api/v1/memory/search/route';
import * as stats from '@/app/api/v1/memory/stats/route';
import { refreshStatistics } from '@/lib/db/statistics';
import { MAX_ENTITIES } from '@/lib/memory/ingest/extraction/rules';
import { accountIdOf, createAccount, type TestAccount } from '../helpers/accounts';
import { call } from '../helpers/http';
import { startTestApp, type TestApp } from '../helpers/services';

let app: TestApp;
let account: TestAccount;

beforeAll(async () => {
  app = await startTestApp();
  account = await createAccount();
});
afterAll(async () => {
  await app.stop();
});

const memoryCount = async (endUser: string) =>
  Number((await app.services.db.query<{ n: string }>('select count(*) as n from memories where account_id = $1 and end_user_id = $2', [await accountIdOf(app.services.db, account), endUser]))[0]!.n);

describe('request bodies at and over their caps', () => {
  it('an ingest of 31 regex-hostile messages (~977 KB) is answered, and stores at most one memory per message', async () => {
    const messages = Array.from({ length: 31 }, () => ({ role: 'user', content: 'i like x '.repeat(3_500) }));
    const body = JSON.stringify({ userId: 'hostile', messages });
    expect(body.length).toBeGreaterThan(970_000);
    expect(body.length).toBeLessThan(app.services.env.MAX_BODY_BYTES);
    const res = await call(ingest.POST, 'POST', '/api/v1/ingest', { token: account.apiKey, rawBody: body, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    expect(res.body.memoriesCreated).toBeLessThanOrEqual(messages.length);
    expect(await memoryCount('hostile')).toBeLessThanOrEqual(messages.length);
  });

  it('an entity-dense ingest keeps at most MAX_ENTITIES entities per message', async () => {
    const names = ['Ana Silva', 'Boris Novak', 'Clara Moreau', 'David Kim', 'Elena Rossi', 'Farid Haddad', 'Greta Berg', 'Hugo Costa'];
    const content = Array.from({ length: 1_200 }, (_, i) => `${names[i % names.length]} ${String.fromCharCode(65 + (i % 26))}${i} met ${names[(i * 3) % names.length]}.`).join(' ').slice(0, 32_000);
    expect(content.length).toBe(32_000);
    const res = await call(ingest.POST, 'POST', '/api/v1/ingest', { token: account.apiKey, body: { userId: 'dense', messages: [{ role: 'user', content }, { role: 'user', content }] } });
    expect(res.status).toBe(200);
    expect(res.body.entitiesExtracted).toBeGreaterThan(0);
    expect(res.body.entitiesExtracted).toBeLessThanOrEqual(2 * MAX_ENTITIES);
  });

  it('bodies over MAX_BODY_BYTES get 413 on every write path, and nothing is stored', async () => {
    const over = app.services.env.MAX_BODY_BYTES + 1;
    const cases = [
      { handler: memory.POST, path: '/api/v1/memory', body: JSON.stringify({ content: 'x'.repeat(over), external_user_id: 'too-big' }) },
      { handler: ingest.POST, path: '/api/v1/ingest', body: JSON.stringify({ userId: 'too-big', messages: [{ role: 'user', content: 'y'.repeat(over) }] }) },
      { handler: chat.POST, path: '/api/v1/chat', body: JSON.stringify({ message: 'z'.repeat(over), external_user_id: 'too-big' }) },
    ];
    for (const { handler, path, body } of cases) {
      expect(body.length).toBeGreaterThan(app.services.env.MAX_BODY_BYTES);
      const res = await call(handler, 'POST', path, { token: account.apiKey, rawBody: body, headers: { 'content-type': 'application/json' } });
      expect(res.status, path).toBe(413);
      expect(typeof res.body.detail).toBe('string');
    }
    expect(await memoryCount('too-big')).toBe(0);
  });

  it('a 32,000-character chat message is refused with 422 naming the field; a memory at MAX_MEMORY_CHARS is stored', async () => {
    const long = 'i work at '.repeat(3_200);
    expect(long.length).toBe(32_000);
    const refused = await call(chat.POST, 'POST', '/api/v1/chat', { token: account.apiKey, body: { message: long, external_user_id: 'long' } });
    expect(refused.status).toBe(422);
    expect(refused.body.details.map((d: { loc: unknown[] }) => d.loc.join('.'))).toContain('body.message');
    const atCap = long.slice(0, app.services.env.MAX_MEMORY_CHARS);
    const stored = await call(memory.POST, 'POST', '/api/v1/memory', { token: account.apiKey, body: { content: atCap, external_user_id: 'long' } });
    expect(stored.status).toBe(201);
    expect(stored.body.memory.content).toHaveLength(app.services.env.MAX_MEMORY_CHARS);
  });
});

describe('an end user with 20,000 memories', () => {
  const endUser = 'big-user';
  const total = 20_000;

  beforeAll(async () => {
    const accountId = await accountIdOf(app.services.db, account);
    await app.services.db.query("update accounts set plan = 'enterprise' where id = $1", [accountId]);
    // Rows straight into the table (the API would embed each one, which is not what this test is about): old and
    // unimportant, all with the vector of one note, so search, context, stats and prune each see the whole set.
    // One end user's searches scan that user's rows exactly; the HNSW index serves account-wide search only, and
    // building it over 20,000 identical vectors is a slow case of its own (42-70 s), so this database drops it.
    await app.services.db.exec('drop index if exists memories_embedding_hnsw_512');
    const [vector] = await app.services.embedder.embed(['a note about a topic']);
    // In statements of 1,000 rows: the row triggers update the account's counters once per row, and within one
    // statement each update walks the versions the earlier ones left (20,000 rows in one statement: ~90 s, past the
    // hook timeout on a busy CI machine; in 1,000s: ~10 s).
    for (let from = 1; from <= total; from += 1_000) {
      await app.services.db.query(
        `insert into memories (account_id, end_user_id, content, category, importance, base_importance, created_at, updated_at, valid_from, embedding)
         select $1, $2, 'note ' || i || ' about topic ' || (i % 50), 'general', 0.05, 0.05, now() - interval '400 days', now() - interval '400 days', now() - interval '400 days', $4::vector
         from generate_series($5::int, $3::int) as i`,
        [accountId, endUser, Math.min(total, from + 999), `[${vector!.join(',')}]`, from],
      );
    }
    // What the embedded database does every 30 s (lib/db/statistics.ts): with the planner still believing the table
    // is empty, hybrid search over this user took 58 s (a nested loop over 20,000 × 20,000 rows), 0.6 s after it.
    expect(await refreshStatistics(app.services.db)).toContain('memories');
  });

  it('stats, search and context answer over the whole set', async () => {
    expect(await memoryCount(endUser)).toBe(total);
    const statsRes = await call(stats.GET, 'GET', '/api/v1/memory/stats', { token: account.apiKey, query: { external_user_id: endUser } });
    expect(statsRes.status).toBe(200);
    expect(statsRes.body.total_memories).toBe(total);
    const found = await call(search.POST, 'POST', '/api/v1/memory/search', { token: account.apiKey, body: { query: 'topic 7', external_user_id: endUser, limit: 10 } });
    expect(found.status).toBe(200);
    expect(found.body.results.length).toBeGreaterThan(0);
    expect(found.body.results.length).toBeLessThanOrEqual(10);
    const block = await call(context.POST, 'POST', '/api/v1/context', { token: account.apiKey, body: { userId: endUser, messages: [{ role: 'user', content: 'what about topic 7?' }], tokenBudget: 200 } });
    expect(block.status).toBe(200);
    expect(block.body.memoriesUsed).toBeGreaterThan(0);
    expect(block.body.tokensUsed).toBeLessThanOrEqual(200);
  });

  it('prune previews and archives every stale memory of the set, and caps what one end user keeps', async () => {
    const preview = await call(prune.POST, 'POST', '/api/v1/memory/prune', { token: account.apiKey, query: { external_user_id: endUser, max_age_days: 365, dry_run: 'true' } });
    expect(preview.status).toBe(200);
    expect(preview.body.dry_run).toBe(true);
    expect(preview.body.pruned_count).toBe(total);
    expect(preview.body.truncated).toBe(true);
    expect(await memoryCount(endUser)).toBe(total);
    const capped = await call(prune.POST, 'POST', '/api/v1/memory/prune', { token: account.apiKey, query: { external_user_id: endUser, max_age_days: 36_500, min_importance: 0, max_memories: 5_000 } });
    expect(capped.status).toBe(200);
    const active = Number((await app.services.db.query<{ n: string }>('select count(*) as n from memories where end_user_id = $1 and archived_at is null', [endUser]))[0]!.n);
    expect(active).toBe(5_000);
  });
});

describe('a 40,000-line import', () => {
  it('on a plan without room is refused whole, with the counts, and stores nothing', async () => {
    const small = await createAccount();
    const lines = Array.from({ length: 40_000 }, (_, i) => JSON.stringify({ id: randomUUID(), external_user_id: 'imported', content: `imported line ${i}`, metadata: {}, created_at: '2026-01-01T00:00:00.000Z' }));
    const text = lines.join('\n');
    expect(lines).toHaveLength(40_000);
    const res = await call(importRoute.POST, 'POST', '/api/v1/import', { token: small.apiKey, rawBody: text, headers: { 'content-type': 'application/x-ndjson' } });
    expect(res.status).toBe(429);
    expect(res.headers.get('x-quota-exceeded')).toBe('memories');
    expect(typeof res.body.detail).toBe('string');
    const accountId = await accountIdOf(app.services.db, small);
    expect(Number((await app.services.db.query<{ n: string }>('select count(*) as n from memories where account_id = $1', [accountId]))[0]!.n)).toBe(0);
  });

  it('re-importing an export into a full account skips the existing ids instead of refusing', async () => {
    const full = await createAccount();
    for (const content of ['I live in Lisbon', 'I play the cello']) {
      expect((await call(memory.POST, 'POST', '/api/v1/memory', { token: full.apiKey, body: { content, external_user_id: 'reimport' } })).status).toBe(201);
    }
    const exported = await call(exportRoute.GET, 'GET', '/api/v1/export', { token: full.apiKey });
    const accountId = await accountIdOf(app.services.db, full);
    // The plan is full (Free: 1,000 memories).
    await app.services.db.query('update accounts set memory_count = 1000 where id = $1', [accountId]);
    const again = await call(importRoute.POST, 'POST', '/api/v1/import', { token: full.apiKey, rawBody: exported.text, headers: { 'content-type': 'application/x-ndjson' } });
    expect(again.status).toBe(200);
    expect(again.body.imported).toBe(0);
    expect(again.body.skipped).toBeGreaterThanOrEqual(2);
    const one = exported.text.split('\n').filter(Boolean).map((line) => JSON.parse(line)).find((line) => line.content === 'I live in Lisbon');
    const fresh = JSON.stringify({ ...one, id: randomUUID() });
    const refused = await call(importRoute.POST, 'POST', '/api/v1/import', { token: full.apiKey, rawBody: fresh, headers: { 'content-type': 'application/x-ndjson' } });
    expect(refused.status).toBe(429);
  });
});

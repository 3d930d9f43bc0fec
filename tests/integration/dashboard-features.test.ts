import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as contextRoute from '@/app/api/dashboard/context/route';
import * as exportRoute from '@/app/api/dashboard/export/route';
import * as importRoute from '@/app/api/dashboard/import/route';
import * as maintenance from '@/app/api/dashboard/maintenance/[job_type]/route';
import * as runs from '@/app/api/dashboard/maintenance-runs/route';
import * as memories from '@/app/api/dashboard/memories/route';
import * as restore from '@/app/api/dashboard/memories/[memory_id]/restore/route';
import * as search from '@/app/api/dashboard/search/route';
import * as memory from '@/app/api/v1/memory/route';
import * as prune from '@/app/api/v1/memory/prune/route';
import type { Embedder } from '@/lib/embeddings';
import { createAccount, type TestAccount } from '@/tests/helpers/accounts';
import { call } from '@/tests/helpers/http';
import { startTestApp, testEmbedder, type TestApp } from '@/tests/helpers/services';

/**
 * The real embedder, with a gate: while armed, a call whose texts mention the marker waits until released, so a test
 * can look at a maintenance run while it is running (no timing involved).
 */
function gatedEmbedder(inner: Embedder, marker: string) {
  let armed = false;
  let release: () => void = () => {};
  let reached: () => void = () => {};
  const gate = {
    reachedPromise: Promise.resolve(),
    arm() {
      armed = true;
      gate.reachedPromise = new Promise<void>((resolve) => (reached = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      gate.wait = () => released;
    },
    release: () => release(),
    wait: () => Promise.resolve(),
  };
  const embedder: Embedder = {
    id: inner.id,
    dimensions: inner.dimensions,
    async embed(texts) {
      if (armed && texts.some((text) => text.includes(marker))) {
        armed = false;
        reached();
        await gate.wait();
      }
      return inner.embed(texts);
    },
  };
  return { embedder, gate };
}

const MARKER = 'Dolomites';
const gated = gatedEmbedder(testEmbedder(), MARKER);
let app: TestApp;
let alice: TestAccount;
let bob: TestAccount;

const store = async (account: TestAccount, user: string, content: string) =>
  (await call(memory.POST, 'POST', '/api/v1/memory', { token: account.apiKey, body: { content, external_user_id: user } })).body.memory.id as string;
const exportText = async (account: TestAccount, query: Record<string, string> = {}) => {
  const res = await call(exportRoute.GET, 'GET', '/api/dashboard/export', { token: account.accessToken, query });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('application/x-ndjson');
  return res.text;
};
const linesOf = (text: string) => text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { id: string; content: string; external_user_id: string });

beforeAll(async () => {
  app = await startTestApp({ overrides: { embedder: gated.embedder } });
  alice = await createAccount();
  bob = await createAccount();
  for (const content of ['Ann is training for the Berlin marathon', 'Ann prefers oat milk in her coffee', 'Ann keeps a sourdough starter named Bubbles', 'Ann works as a nurse in Lisbon']) {
    await store(alice, 'ann@example.com', content);
  }
  await store(alice, 'ben@example.com', 'Ben keeps bees on his roof');
});
afterAll(() => app.stop());

describe('playground search with explain (POST /api/dashboard/search)', () => {
  it('answers /v1/search results with every signal of the score', async () => {
    const res = await call(search.POST, 'POST', '/api/dashboard/search', { token: alice.accessToken, body: { userId: 'ann@example.com', query: 'marathon training', explain: true } });
    expect(res.status).toBe(200);
    expect(res.body.memories[0].content).toBe('Ann is training for the Berlin marathon');
    for (const hit of res.body.memories) {
      expect(Object.keys(hit.explain).sort()).toEqual(['conversation', 'cosineSimilarity', 'entity', 'importance', 'keyword', 'recency', 'semantic', 'temporal']);
      // The parts add up to the score; cosineSimilarity is shown beside them, not part of the sum.
      const parts = Object.entries(hit.explain as Record<string, number>).filter(([signal]) => signal !== 'cosineSimilarity');
      expect(parts.reduce((sum, [, part]) => sum + part, 0)).toBeCloseTo(hit.score, 3);
    }
    expect(res.body.memories[0].explain.keyword).toBeGreaterThan(0);
  });

  it('needs a session (401 for none and for an API key), validates (422), and shows another account nothing', async () => {
    const body = { userId: 'ann@example.com', query: 'marathon', explain: true };
    const none = await call(search.POST, 'POST', '/api/dashboard/search', { body });
    expect(none.status).toBe(401);
    expect(none.body.detail).toEqual(expect.any(String));
    expect((await call(search.POST, 'POST', '/api/dashboard/search', { token: alice.apiKey, body })).status).toBe(401);
    const bad = await call(search.POST, 'POST', '/api/dashboard/search', { token: alice.accessToken, body: { userId: 'ann@example.com', query: '   ' } });
    expect(bad.status).toBe(422);
    expect(bad.body.details[0].loc).toEqual(['body', 'query']);
    const other = await call(search.POST, 'POST', '/api/dashboard/search', { token: bob.accessToken, body });
    expect(other.status).toBe(200);
    expect(other.body).toEqual({ memories: [], total: 0 });
  });
});

describe('playground context (POST /api/dashboard/context)', () => {
  const ask = (account: TestAccount, tokenBudget: number) =>
    call(contextRoute.POST, 'POST', '/api/dashboard/context', { token: account.accessToken, body: { userId: 'ann@example.com', messages: [{ role: 'user', content: 'What does Ann do?' }], tokenBudget } });

  it('keeps every candidate with a large budget and drops some, with their text, with a small one', async () => {
    const large = await ask(alice, 4000);
    expect(large.status).toBe(200);
    expect(large.body.lines).toHaveLength(4);
    expect(large.body.omitted).toEqual([]);
    const small = await ask(alice, 40);
    expect(small.status).toBe(200);
    expect(small.body.tokensUsed).toBeLessThanOrEqual(40);
    expect(small.body.lines.length).toBeGreaterThan(0);
    expect(small.body.omitted.length).toBeGreaterThan(0);
    // Kept and dropped together are the same candidates as with the large budget, and each dropped one says what it was.
    const all = new Set(large.body.lines.map((line: { memoryId: string }) => line.memoryId));
    expect(new Set([...small.body.lines, ...small.body.omitted].map((line: { memoryId: string }) => line.memoryId))).toEqual(all);
    const textOf = new Map(large.body.lines.map((line: { memoryId: string; text: string }) => [line.memoryId, line.text]));
    for (const dropped of small.body.omitted) expect(dropped).toEqual({ memoryId: dropped.memoryId, reason: 'token_budget', text: textOf.get(dropped.memoryId) });
  });

  it('needs a session, validates the budget, and gives another account nothing', async () => {
    expect((await call(contextRoute.POST, 'POST', '/api/dashboard/context', { body: { userId: 'ann@example.com', messages: [{ role: 'user', content: 'hi' }] } })).status).toBe(401);
    const bad = await call(contextRoute.POST, 'POST', '/api/dashboard/context', { token: alice.accessToken, body: { userId: 'ann@example.com', messages: [{ role: 'user', content: 'hi' }], tokenBudget: -1 } });
    expect(bad.status).toBe(422);
    expect(bad.body.details[0].loc).toEqual(['body', 'tokenBudget']);
    const other = await ask(bob, 1);
    expect(other.body).toMatchObject({ text: '', lines: [], omitted: [] });
  });
});

describe('export and import (GET /api/dashboard/export, POST /api/dashboard/import)', () => {
  it('exports the account, or one end user, as JSON Lines; another account exports nothing', async () => {
    const all = linesOf(await exportText(alice));
    expect(all.map((line) => line.content).sort()).toEqual(
      ['Ann is training for the Berlin marathon', 'Ann prefers oat milk in her coffee', 'Ann keeps a sourdough starter named Bubbles', 'Ann works as a nurse in Lisbon', 'Ben keeps bees on his roof'].sort(),
    );
    const ben = linesOf(await exportText(alice, { external_user_id: 'ben@example.com' }));
    expect(ben.map((line) => line.content)).toEqual(['Ben keeps bees on his roof']);
    expect(await exportText(bob)).toBe('');
    expect((await call(exportRoute.GET, 'GET', '/api/dashboard/export', { token: alice.apiKey })).status).toBe(401);
  });

  it("imports an export into another account (new ids only), reports line numbers of bad lines, and never takes over another account's ids", async () => {
    const exported = await exportText(alice, { external_user_id: 'ben@example.com' });
    // Another account importing Alice's ids: never overwritten nor skipped (a skip says the id exists); the copy gets its own id.
    const taken = await call(importRoute.POST, 'POST', '/api/dashboard/import', { token: bob.accessToken, rawBody: exported, headers: { 'content-type': 'application/x-ndjson' } });
    expect(taken.status).toBe(200);
    expect(taken.body).toMatchObject({ status: 'success', lines: 1, imported: 1, skipped: 0, reembedded: 0 });
    const [aliceLine] = linesOf(exported);
    const copyId = taken.body.remapped_ids[aliceLine!.id] as string;
    expect(copyId).not.toBe(aliceLine!.id);
    const fresh = { id: '5a5a5a5a-1111-4111-8111-111111111111', external_user_id: 'cleo@example.com', content: 'Cleo collects vintage postcards' };
    const res = await call(importRoute.POST, 'POST', '/api/dashboard/import', { token: bob.accessToken, rawBody: JSON.stringify(fresh), headers: { 'content-type': 'application/x-ndjson' } });
    expect(res.body).toMatchObject({ status: 'success', lines: 1, imported: 1, skipped: 0, reembedded: 1 });
    expect(linesOf(await exportText(bob)).map((line) => [line.id, line.content]).sort()).toEqual([[copyId, aliceLine!.content], [fresh.id, fresh.content]].sort());
    const bad = await call(importRoute.POST, 'POST', '/api/dashboard/import', { token: bob.accessToken, rawBody: `${JSON.stringify({ ...fresh, id: '5a5a5a5a-2222-4222-8222-222222222222' })}\nnot json`, headers: { 'content-type': 'application/x-ndjson' } });
    expect(bad.status).toBe(422);
    expect(bad.body.details[0]).toMatchObject({ loc: ['body', 2], msg: 'Line is not valid JSON' });
    expect((await call(importRoute.POST, 'POST', '/api/dashboard/import', { rawBody: JSON.stringify(fresh) })).status).toBe(401);
  });
});

describe('archived memories and restore (POST /api/dashboard/memories/{memory_id}/restore)', () => {
  it('lists archived memories and restores one; another account gets 404 and changes nothing', async () => {
    const id = await store(alice, 'dora@example.com', 'Dora used to live in Oslo');
    await call(prune.POST, 'POST', '/api/v1/memory/prune', { token: alice.apiKey, query: { min_importance: '1', external_user_id: 'dora@example.com' } });
    const archived = await call(memories.GET, 'GET', '/api/dashboard/memories', { token: alice.accessToken, query: { archived: 'true', external_user_id: 'dora@example.com' } });
    expect(archived.body.memories.map((m: { id: string }) => m.id)).toEqual([id]);

    const stolen = await call(restore.POST, 'POST', `/api/dashboard/memories/${id}/restore`, { token: bob.accessToken, params: { memory_id: id } });
    expect(stolen.status).toBe(404);
    expect(stolen.body).toEqual({ detail: 'Archived memory not found' });
    expect((await call(restore.POST, 'POST', `/api/dashboard/memories/${id}/restore`, { token: alice.apiKey, params: { memory_id: id } })).status).toBe(401);
    expect((await call(restore.POST, 'POST', '/api/dashboard/memories/x/restore', { token: alice.accessToken, params: { memory_id: 'x' } })).status).toBe(422);

    const restored = await call(restore.POST, 'POST', `/api/dashboard/memories/${id}/restore`, { token: alice.accessToken, params: { memory_id: id } });
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ status: 'success', memory: { id, content: 'Dora used to live in Oslo' } });
    const active = await call(memories.GET, 'GET', '/api/dashboard/memories', { token: alice.accessToken, query: { external_user_id: 'dora@example.com' } });
    expect(active.body.memories.map((m: { id: string }) => m.id)).toEqual([id]);
    // Restoring twice: it is no longer archived.
    expect((await call(restore.POST, 'POST', `/api/dashboard/memories/${id}/restore`, { token: alice.accessToken, params: { memory_id: id } })).status).toBe(404);
  });
});

describe('run maintenance (POST /api/dashboard/maintenance/{job_type})', () => {
  const listRuns = (account: TestAccount) => call(runs.GET, 'GET', '/api/dashboard/maintenance-runs', { token: account.accessToken });

  it('records progress on the run while it runs (seen by polling the runs list), then the result', async () => {
    for (const content of ['I love hiking in the Alps.', 'I really love hiking in the Alps.', 'I love hiking in the Alps every summer.']) await store(alice, 'hiker-a@example.com', content);
    for (const content of [`I love climbing in the ${MARKER}.`, `I really love climbing in the ${MARKER}.`, `I love climbing in the ${MARKER} every summer.`]) {
      await store(alice, 'hiker-b@example.com', content);
    }
    const [{ total }] = await app.services.db.query<{ total: number }>(
      "select count(distinct end_user_id)::int as total from memories where end_user_id in ('ann@example.com', 'ben@example.com', 'dora@example.com', 'hiker-a@example.com', 'hiker-b@example.com')",
    ) as [{ total: number }];
    expect(total).toBe(5);
    gated.gate.arm();
    const pending = call(maintenance.POST, 'POST', '/api/dashboard/maintenance/summarization', { token: alice.accessToken, params: { job_type: 'summarization' } });
    await gated.gate.reachedPromise;
    // The run is half-way: the end users before hiker-b (the last in order) are done, hiker-b's summary is being embedded.
    const during = await listRuns(alice);
    const running = during.body.runs[0];
    expect(running).toMatchObject({ job_type: 'summarization', trigger: 'dashboard', status: 'running', finished_at: null });
    expect(running.progress).toEqual({ step: 'summarization', end_users_done: 4, end_users_total: 5 });
    expect((await listRuns(bob)).body.runs).toEqual([]);
    gated.gate.release();

    const done = await pending;
    expect(done.status).toBe(200);
    expect(done.body.run).toMatchObject({ id: running.id, status: 'succeeded', progress: { end_users_done: 5, end_users_total: 5 }, counts: { end_users: 5 } });
    expect(done.body.run.counts.summaries_created).toBeGreaterThanOrEqual(2);
    expect((await listRuns(alice)).body.runs[0]).toMatchObject({ id: running.id, status: 'succeeded' });
    expect((await listRuns(bob)).body.runs).toEqual([]);
  });

  it('needs a session, validates the job type, and runs only on the caller’s account', async () => {
    expect((await call(maintenance.POST, 'POST', '/api/dashboard/maintenance/pruning', { params: { job_type: 'pruning' } })).status).toBe(401);
    const bad = await call(maintenance.POST, 'POST', '/api/dashboard/maintenance/defrag', { token: alice.accessToken, params: { job_type: 'defrag' } });
    expect(bad.status).toBe(422);
    expect(bad.body.details[0].loc).toEqual(['path', 'job_type']);
    const before = await app.services.db.query('select id, importance, archived_at from memories order by id');
    const res = await call(maintenance.POST, 'POST', '/api/dashboard/maintenance/all', { token: bob.accessToken, params: { job_type: 'all' } });
    expect(res.body.run).toMatchObject({ status: 'succeeded', trigger: 'dashboard' });
    // Bob's one imported memory is all it may touch.
    const after = await app.services.db.query('select id, importance, archived_at from memories order by id');
    expect(after.filter((row) => row.id !== '5a5a5a5a-1111-4111-8111-111111111111')).toEqual(before.filter((row) => row.id !== '5a5a5a5a-1111-4111-8111-111111111111'));
  });
});

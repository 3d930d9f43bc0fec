import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as memory from '@/app/api/v1/memory/route';
import * as chatRoute from '@/app/api/v1/chat/route';
import * as memoryById from '@/app/api/v1/memory/[memory_id]/route';
import * as search from '@/app/api/v1/memory/search/route';
import * as stats from '@/app/api/v1/memory/stats/route';
import * as usageRoute from '@/app/api/dashboard/usage/route';
import { createAccount, type TestAccount } from '@/tests/helpers/accounts';
import { call } from '@/tests/helpers/http';
import { startTestApp, type TestApp } from '@/tests/helpers/services';

let app: TestApp;
let alice: TestAccount;
let bob: TestAccount;

beforeAll(async () => {
  app = await startTestApp();
  alice = await createAccount();
  bob = await createAccount();
});
afterAll(() => app.stop());

const store = (account: TestAccount, body: unknown) => call(memory.POST, 'POST', '/api/v1/memory', { token: account.apiKey, body });
const searchPost = (account: TestAccount, body: unknown) => call(search.POST, 'POST', '/api/v1/memory/search', { token: account.apiKey, body });
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('POST /v1/memory', () => {
  it('stores a memory and answers 201 with the documented fields', async () => {
    const res = await store(alice, { content: 'User prefers dark mode and uses VS Code', external_user_id: 'john_doe@gmail.com', metadata: { source: 'onboarding' } });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(res.body.status).toBe('success');
    expect(res.body.memory).toMatchObject({ content: 'User prefers dark mode and uses VS Code', external_user_id: 'john_doe@gmail.com', metadata: { source: 'onboarding' }, importance_score: 0.6 });
    // A preference starts above small talk (0.5): base importance comes from what the memory says.
    expect(res.body.memory.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.memory.created_at).toMatch(ISO);
    // Stored as a JSON object, not a JSON string: queryable from SQL (and supabase.rpc).
    const [row] = await app.services.db.query<{ source: string; kind: string }>("select metadata->>'source' as source, jsonb_typeof(metadata) as kind from memories where id = $1", [res.body.memory.id]);
    expect(row).toEqual({ source: 'onboarding', kind: 'object' });
  });

  it('round-trips unicode, emoji, SQL metacharacters byte for byte', async () => {
    const content = "Zoë 👩🏽‍💻 said: '; drop table memories; -- 漢字 \\ \" %_ $1";
    const externalUserId = "o'brien\"; select 1; --@example.com";
    const created = await store(alice, { content, external_user_id: externalUserId });
    expect(created.status).toBe(201);
    const fetched = await call(memoryById.GET, 'GET', `/api/v1/memory/${created.body.memory.id}`, { token: alice.apiKey, params: { memory_id: created.body.memory.id } });
    expect(fetched.body.content).toBe(content);
    expect(fetched.body.external_user_id).toBe(externalUserId);
  });

  it.each([
    ['missing content', { external_user_id: 'u@example.com' }, 'missing', ['body', 'content']],
    ['empty content', { content: '', external_user_id: 'u@example.com' }, 'custom', ['body', 'content']],
    ['whitespace content', { content: '  \n\t ', external_user_id: 'u@example.com' }, 'custom', ['body', 'content']],
    ['numeric content', { content: 42, external_user_id: 'u@example.com' }, 'string_type', ['body', 'content']],
    ['missing user', { content: 'x' }, 'missing', ['body', 'external_user_id']],
    ['empty user', { content: 'x', external_user_id: '   ' }, 'custom', ['body', 'external_user_id']],
    ['array user', { content: 'x', external_user_id: ['a'] }, 'string_type', ['body', 'external_user_id']],
    ['metadata not an object', { content: 'x', external_user_id: 'u', metadata: 'tags' }, 'record_type', ['body', 'metadata']],
    ['NUL in content', { content: 'a\u0000b', external_user_id: 'u' }, 'custom', ['body', 'content']],
    ['NUL in user', { content: 'ab', external_user_id: 'u\u0000' }, 'custom', ['body', 'external_user_id']],
    ['NUL in metadata', { content: 'ab', external_user_id: 'u', metadata: { a: 'x\u0000' } }, 'custom', ['body', 'metadata']],
  ])('rejects %s with 422 and details', async (_name, body, type, loc) => {
    const res = await store(alice, body);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ status: 'error', message: 'Validation error' });
    expect(res.body.timestamp).toMatch(ISO);
    expect(res.body.details).toContainEqual(expect.objectContaining({ type, loc }));
  });

  it('answers 413 for content over the documented maximum and stores nothing', async () => {
    const before = await call(stats.GET, 'GET', '/api/v1/memory/stats', { token: alice.apiKey });
    const res = await store(alice, { content: 'x'.repeat(16_001), external_user_id: 'big@example.com' });
    expect(res.status).toBe(413);
    expect(res.body.detail).toMatch(/maximum of 16000 characters/);
    const after = await call(stats.GET, 'GET', '/api/v1/memory/stats', { token: alice.apiKey });
    expect(after.body.total_memories).toBe(before.body.total_memories);
  });

  it('answers 400 for malformed JSON and 415 for a non-JSON content type', async () => {
    const malformed = await call(memory.POST, 'POST', '/api/v1/memory', { token: alice.apiKey, rawBody: '{"content": ', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual({ detail: 'Malformed JSON in request body' });
    const form = await call(memory.POST, 'POST', '/api/v1/memory', { token: alice.apiKey, rawBody: 'content=hi', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
  });

  it.each([
    ['no header', undefined],
    ['garbage', 'not-a-key'],
    ['well-formed but unknown', 'mlive_abcdefghijkl_' + 'A'.repeat(40)],
  ])('answers 401 {detail} with %s', async (_name, token) => {
    const res = await call(memory.POST, 'POST', '/api/v1/memory', { token, body: { content: 'x', external_user_id: 'u' } });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail: 'Invalid or missing API key' });
  });

  it('does not accept a dashboard session token as an API key', async () => {
    const res = await call(memory.POST, 'POST', '/api/v1/memory', { token: alice.accessToken, body: { content: 'x', external_user_id: 'u' } });
    expect(res.status).toBe(401);
  });
});

describe('search', () => {
  beforeAll(async () => {
    for (const content of ['User prefers dark mode and uses VS Code', 'User is building a SaaS dashboard in React', 'User has a dog named Biscuit'])
      await store(alice, { content, external_user_id: 'search@example.com' });
    await store(alice, { content: 'Other user loves the VS Code editor', external_user_id: 'other@example.com' });
    await store(bob, { content: 'Bob uses VS Code with dark mode', external_user_id: 'search@example.com' });
  });

  it('POST ranks with hybrid retrieval by default: similarity is the cosine, combined_score the reference formula, sorted by score', async () => {
    const res = await searchPost(alice, { query: 'What editor does the user prefer?', external_user_id: 'search@example.com', limit: 5, similarity_threshold: 0.3 });
    expect(res.status).toBe(200);
    expect(res.body.mode).toBe('hybrid');
    expect(res.body.results[0].memory.content).toBe('User prefers dark mode and uses VS Code');
    expect(res.body.total_count).toBe(res.body.results.length);
    for (const result of res.body.results) {
      expect(result.similarity).toBeGreaterThanOrEqual(0.2);
      expect(result.combined_score).toBeCloseTo(0.7 * result.similarity + 0.3 * result.memory.importance_score, 3);
      expect(result.memory.external_user_id).toBe('search@example.com');
      expect(result.explain).toBeUndefined();
    }
    const scores = res.body.results.map((r: { score: number }) => r.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it('mode "semantic" is the reference ranking: by combined_score, filtered on similarity exactly', async () => {
    const res = await searchPost(alice, { query: 'What editor does the user prefer?', external_user_id: 'search@example.com', limit: 5, similarity_threshold: 0.1, mode: 'semantic' });
    expect(res.body.mode).toBe('semantic');
    expect(res.body.results.length).toBeGreaterThan(1);
    for (const result of res.body.results) {
      expect(result.similarity).toBeGreaterThanOrEqual(0.1);
      expect(result.score).toBe(result.combined_score);
    }
    const combined = res.body.results.map((r: { combined_score: number }) => r.combined_score);
    expect([...combined].sort((a, b) => b - a)).toEqual(combined);
  });

  it('explain: true shows each signal of the hybrid score', async () => {
    const res = await searchPost(alice, { query: 'dog named Biscuit', external_user_id: 'search@example.com', limit: 1, explain: true });
    expect(res.body.results[0].explain).toMatchObject({ keyword: expect.any(Number), semantic: expect.any(Number), cosineSimilarity: res.body.results[0].similarity });
    expect(res.body.results[0].explain.keyword).toBeGreaterThan(0);
  });

  it('asking the same questions again ranks exactly as the first time (reads do not change ranking)', async () => {
    const questions = ['What editor does the user prefer?', 'What is the user building?', 'Does the user have pets?', 'dark mode', 'React'];
    const ask = async () => {
      const lists: string[][] = [];
      for (const query of questions) {
        for (const mode of ['hybrid', 'semantic']) {
          const res = await searchPost(alice, { query, external_user_id: 'search@example.com', limit: 3, similarity_threshold: 0, mode });
          lists.push(res.body.results.map((r: { memory: { id: string } }) => r.memory.id));
        }
      }
      return lists;
    };
    const first = await ask();
    for (let i = 0; i < 5; i++) await ask();
    expect(await ask()).toEqual(first);
  });

  it.each([
    ['Python client', 'I am building a React dashboard for a SaaS startup', 'What am I building?'],
    ['JavaScript client', 'I prefer React over Vue for frontend work', 'What frontend framework do I use?'],
    ['curl', 'User prefers dark mode and uses VS Code', 'What editor does the user prefer?'],
  ])('the reference %s example finds its memory first at threshold 0.3, by POST, GET and chat', async (_name, content, question) => {
    const user = `example-${content.length}@example.com`;
    await store(alice, { content, external_user_id: user });
    await store(alice, { content: 'My cat sleeps on the windowsill every afternoon', external_user_id: user });
    const post = await searchPost(alice, { query: question, external_user_id: user, limit: 5, similarity_threshold: 0.3 });
    expect(post.body.results[0]?.memory.content).toBe(content);
    const get = await call(search.GET, 'GET', '/api/v1/memory/search', { token: alice.apiKey, query: { query: question, external_user_id: user, limit: 5, similarity_threshold: 0.3 } });
    expect(get.body.results[0]?.memory.content).toBe(content);
    const reply = await call(chatRoute.POST, 'POST', '/api/v1/chat', { token: alice.apiKey, body: { message: question, external_user_id: user } });
    expect(reply.body.used_memories[0]?.memory_text).toBe(content);
  });

  it('the threshold keeps its meaning: 0.7 returns close matches only, and a memory sharing no word stays out below it', async () => {
    const user = 'threshold@example.com';
    await store(alice, { content: 'I am building a React dashboard for a SaaS startup', external_user_id: user });
    await store(alice, { content: 'My cat sleeps on the windowsill every afternoon', external_user_id: user });
    const strict = await searchPost(alice, { query: 'What am I building?', external_user_id: user, similarity_threshold: 0.7 });
    expect(strict.body.results).toEqual([]);
    const loose = await searchPost(alice, { query: 'What am I building?', external_user_id: user, similarity_threshold: 0.3 });
    const contents = loose.body.results.map((r: { memory: { content: string } }) => r.memory.content);
    expect(contents).not.toContain('My cat sleeps on the windowsill every afternoon');
    for (const result of loose.body.results) expect(result.similarity).toBeGreaterThanOrEqual(0.2);
  });

  it('links memories of one session (metadata.session_id): each keeps the texts around it and ranks with the one before', async () => {
    const user = 'session@example.com';
    const question = await store(alice, { content: 'Which city should we pick for the offsite in June?', external_user_id: user, metadata: { session_id: 's1' }, timestamp: '2026-06-01T10:00:00Z' });
    const answer = await store(alice, { content: 'Lisbon, the team voted for it.', external_user_id: user, metadata: { session_id: 's1' }, timestamp: '2026-06-01T10:01:00Z' });
    await store(alice, { content: 'Lisbon has great custard tarts.', external_user_id: user, metadata: { session_id: 's2' }, timestamp: '2026-06-02T09:00:00Z' });
    const rows = await app.services.db.query<{ id: string; conversation_id: string; context: string | null; has_context_vector: boolean; created_at: Date }>(
      'select id, conversation_id, context, context_embedding is not null as has_context_vector, created_at from memories where end_user_id = $1 order by created_at',
      [user],
    );
    expect(rows.map((row) => [row.conversation_id, row.has_context_vector])).toEqual([['s1', false], ['s1', true], ['s2', false]]);
    expect(rows[0]!.context).toBe('Lisbon, the team voted for it.');
    expect(rows[1]!.context).toBe('Which city should we pick for the offsite in June?');
    expect(new Date(rows[1]!.created_at).toISOString()).toBe('2026-06-01T10:01:00.000Z');
    // The answer is found by the words of its question.
    const found = await searchPost(alice, { query: 'Where is the offsite?', external_user_id: user, limit: 2, similarity_threshold: 0 });
    expect(found.body.results.map((r: { memory: { id: string } }) => r.memory.id)).toContain(answer.body.memory.id);
    expect(found.body.results.map((r: { memory: { id: string } }) => r.memory.id)).toContain(question.body.memory.id);
  });

  it('links the messages of a session stored with one shared timestamp in the order they were stored', async () => {
    // Imports and second-resolution clocks give a session's messages one created_at; "the one said before" is then the
    // one stored before (it was the one with the highest random id).
    const user = 'same-second@example.com';
    const contents = Array.from({ length: 8 }, (_, i) => `Message ${i + 1} of the planning session about the offsite.`);
    const ids: string[] = [];
    for (const content of contents) {
      const res = await store(alice, { content, external_user_id: user, metadata: { session_id: 'import-1' }, timestamp: '2026-06-01T10:00:00Z' });
      expect(res.status).toBe(201);
      ids.push(res.body.memory.id);
    }
    const rows = await app.services.db.query<{ id: string; context: string | null }>('select id, context from memories where end_user_id = $1', [user]);
    const contextOf = new Map(rows.map((row) => [row.id, row.context]));
    // Each keeps the one stored before it and the one stored after it, as an ingested turn keeps its neighbours.
    expect(contextOf.get(ids[0]!)).toBe(contents[1]);
    for (let i = 1; i < ids.length - 1; i++) expect(contextOf.get(ids[i]!)).toBe(`${contents[i - 1]}\n${contents[i + 1]}`);
    expect(contextOf.get(ids.at(-1)!)).toBe(contents.at(-2));
    // The list shows them newest stored first.
    const listed = await call(memory.GET, 'GET', '/api/v1/memory', { token: alice.apiKey, query: { external_user_id: user, limit: 10 } });
    expect(listed.body.memories.map((m: { id: string }) => m.id)).toEqual([...ids].reverse());
  });

  it('never returns another end user or another account', async () => {
    const res = await searchPost(alice, { query: 'VS Code editor', external_user_id: 'search@example.com', similarity_threshold: 0 , limit: 100 });
    const contents = res.body.results.map((r: { memory: { content: string } }) => r.memory.content);
    expect(contents).not.toContain('Other user loves the VS Code editor');
    expect(contents).not.toContain('Bob uses VS Code with dark mode');
    expect(contents).toHaveLength(3);
  });

  it('GET takes query params', async () => {
    const res = await call(search.GET, 'GET', '/api/v1/memory/search', { token: alice.apiKey, query: { query: 'dog', external_user_id: 'search@example.com', limit: 1, similarity_threshold: 0 } });
    expect(res.status).toBe(200);
    expect(res.body.results).toHaveLength(1);
    expect(res.body.results[0].memory.content).toContain('Biscuit');
  });

  it('counts reads in access_count, but only explicit use (a GET by id) raises importance', async () => {
    const first = await searchPost(alice, { query: 'dog named Biscuit', external_user_id: 'search@example.com', limit: 1 });
    const second = await searchPost(alice, { query: 'dog named Biscuit', external_user_id: 'search@example.com', limit: 1 });
    expect(second.body.results[0].memory.access_count).toBe(first.body.results[0].memory.access_count + 1);
    expect(second.body.results[0].memory.importance_score).toBe(first.body.results[0].memory.importance_score);
    const id = second.body.results[0].memory.id;
    await call(memoryById.GET, 'GET', `/api/v1/memory/${id}`, { token: alice.apiKey, params: { memory_id: id } });
    const third = await searchPost(alice, { query: 'dog named Biscuit', external_user_id: 'search@example.com', limit: 1 });
    expect(third.body.results[0].memory.importance_score).toBeGreaterThan(second.body.results[0].memory.importance_score);
  });

  it.each([
    [{ limit: 0 }, 'limit'],
    [{ limit: 101 }, 'limit'],
    [{ limit: -1 }, 'limit'],
    [{ limit: 'abc' }, 'limit'],
    [{ limit: 2.5 }, 'limit'],
    [{ similarity_threshold: 1.5 }, 'similarity_threshold'],
    [{ similarity_threshold: -1 }, 'similarity_threshold'],
    [{ query: '' }, 'query'],
    [{ query: undefined }, 'query'],
  ])('POST rejects %o with 422', async (patch, field) => {
    const res = await searchPost(alice, { query: 'x', external_user_id: 'search@example.com', ...patch });
    expect(res.status).toBe(422);
    expect(res.body.details.map((d: { loc: string[] }) => d.loc[1])).toContain(field);
  });

  it.each([['0'], ['101'], ['-1'], ['abc'], ['']])('GET rejects limit=%s with 422', async (limit) => {
    const res = await call(search.GET, 'GET', '/api/v1/memory/search', { token: alice.apiKey, query: { query: 'x', external_user_id: 'u', limit } });
    expect(res.status).toBe(422);
    expect(res.body.details[0].loc).toEqual(['query', 'limit']);
  });
});

describe('list, get, delete, stats', () => {
  it('lists newest first with pagination, and only the caller account', async () => {
    const user = 'list@example.com';
    for (let i = 0; i < 5; i++) await store(bob, { content: `Bob list memory number ${i}`, external_user_id: user });
    const page1 = await call(memory.GET, 'GET', '/api/v1/memory', { token: bob.apiKey, query: { limit: 2, offset: 0, external_user_id: user } });
    const page2 = await call(memory.GET, 'GET', '/api/v1/memory', { token: bob.apiKey, query: { limit: 2, offset: 2, external_user_id: user } });
    expect(page1.status).toBe(200);
    expect(page1.body.memories.map((m: { content: string }) => m.content)).toEqual(['Bob list memory number 4', 'Bob list memory number 3']);
    expect(page2.body.memories.map((m: { content: string }) => m.content)).toEqual(['Bob list memory number 2', 'Bob list memory number 1']);
    expect(page1.body).toMatchObject({ total_count: 5, limit: 2, offset: 0, has_more: true });
    const all = await call(memory.GET, 'GET', '/api/v1/memory', { token: alice.apiKey, query: { limit: 200 } });
    expect(all.body.memories.every((m: { content: string }) => !m.content.startsWith('Bob'))).toBe(true);
  });

  it.each([['0'], ['201'], ['abc']])('list rejects limit=%s', async (limit) => {
    const res = await call(memory.GET, 'GET', '/api/v1/memory', { token: alice.apiKey, query: { limit } });
    expect(res.status).toBe(422);
  });

  it('get, then delete, then 404', async () => {
    const created = await store(alice, { content: 'Short-lived memory', external_user_id: 'del@example.com' });
    const id = created.body.memory.id;
    const got = await call(memoryById.GET, 'GET', `/api/v1/memory/${id}`, { token: alice.apiKey, params: { memory_id: id } });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id, content: 'Short-lived memory' });
    const deleted = await call(memoryById.DELETE, 'DELETE', `/api/v1/memory/${id}`, { token: alice.apiKey, params: { memory_id: id } });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ status: 'success', id, deleted: true });
    const again = await call(memoryById.GET, 'GET', `/api/v1/memory/${id}`, { token: alice.apiKey, params: { memory_id: id } });
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ detail: 'Memory not found' });
  });

  it("gives 404, not 403, for another account's memory, and does not delete it", async () => {
    const created = await store(alice, { content: 'Alice private memory', external_user_id: 'private@example.com' });
    const id = created.body.memory.id;
    const got = await call(memoryById.GET, 'GET', `/api/v1/memory/${id}`, { token: bob.apiKey, params: { memory_id: id } });
    expect(got.status).toBe(404);
    const deleted = await call(memoryById.DELETE, 'DELETE', `/api/v1/memory/${id}`, { token: bob.apiKey, params: { memory_id: id } });
    expect(deleted.status).toBe(404);
    const still = await call(memoryById.GET, 'GET', `/api/v1/memory/${id}`, { token: alice.apiKey, params: { memory_id: id } });
    expect(still.status).toBe(200);
  });

  it('answers 422 for a malformed id', async () => {
    const res = await call(memoryById.GET, 'GET', '/api/v1/memory/not-a-uuid', { token: alice.apiKey, params: { memory_id: 'not-a-uuid' } });
    expect(res.status).toBe(422);
    expect(res.body.details[0].loc).toEqual(['path', 'memory_id']);
  });

  it('logs API requests for the dashboard: 30 days of counts, latency and recent errors with request ids', async () => {
    const failing = await call(memoryById.GET, 'GET', '/api/v1/memory/00000000-0000-4000-8000-000000000000', { token: bob.apiKey, params: { memory_id: '00000000-0000-4000-8000-000000000000' } });
    const usage = await call(usageRoute.GET, 'GET', '/api/dashboard/usage', { token: bob.accessToken });
    expect(usage.status).toBe(200);
    expect(usage.body.daily).toHaveLength(30);
    expect(usage.body.daily.at(-1).requests).toBeGreaterThan(0);
    expect(usage.body.latency.requests_7d).toBeGreaterThan(0);
    expect(usage.body.latency.p50_ms).toBeLessThanOrEqual(usage.body.latency.p95_ms);
    expect(usage.body.recent_errors[0]).toMatchObject({ status: 404, request_id: failing.headers.get('x-request-id') });
    const alicesView = await call(usageRoute.GET, 'GET', '/api/dashboard/usage', { token: alice.accessToken });
    expect(alicesView.body.recent_errors.map((e: { request_id: string }) => e.request_id)).not.toContain(failing.headers.get('x-request-id'));
  });

  it('reports stats for the account and per end user', async () => {
    const res = await call(stats.GET, 'GET', '/api/v1/memory/stats', { token: bob.apiKey, query: { external_user_id: 'list@example.com' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total_memories: 5, end_users: 1, external_user_id: 'list@example.com' });
    expect(res.body.plan).toMatchObject({ id: 'free', memory_limit: 1000 });
    const searches = await call(stats.GET, 'GET', '/api/v1/memory/stats', { token: alice.apiKey });
    expect(searches.body.usage.searches_today).toBeGreaterThan(0);
  });
});

import { expect, test } from '@playwright/test';
import { signUpWithKey } from '@/tests/e2e/helpers';

// The reference's curl examples, verbatim apart from the host, against the production build.
test.describe('Memory API over HTTP, as the reference documents it', () => {
  test('store, search (POST and GET), list, get, stats, delete, chat — at /v1 with trailing slashes', async ({ request }) => {
    const { apiKey } = await signUpWithKey(request);
    const auth = { Authorization: `Bearer ${apiKey}` };

    const stored = await request.post('/v1/memory/', { headers: auth, data: { content: 'User is building a SaaS dashboard in React', external_user_id: 'john_doe@gmail.com' } });
    expect(stored.status()).toBe(201);
    const { memory } = await stored.json();
    expect(memory.importance_score).toBe(0.5);

    const second = await request.post('/v1/memory/', {
      headers: auth,
      data: { content: 'User prefers dark mode and uses VS Code', external_user_id: 'john_doe@gmail.com', metadata: { source: 'onboarding' } },
    });
    expect(second.status()).toBe(201);

    const search = await request.post('/v1/memory/search', {
      headers: auth,
      data: { query: 'What editor does the user prefer?', external_user_id: 'john_doe@gmail.com', limit: 5, similarity_threshold: 0.3 },
    });
    const found = await search.json();
    expect(found.results[0].memory.content).toBe('User prefers dark mode and uses VS Code');
    expect(found.total_count).toBe(found.results.length);

    const getSearch = await request.get('/v1/memory/search?query=dark%20mode&external_user_id=john_doe@gmail.com&limit=5', { headers: auth });
    expect((await getSearch.json()).results[0].memory.content).toContain('dark mode');

    const list = await request.get('/v1/memory/?limit=20&offset=0', { headers: auth });
    expect((await list.json()).memories).toHaveLength(2);

    const one = await request.get(`/v1/memory/${memory.id}`, { headers: auth });
    expect((await one.json()).content).toBe('User is building a SaaS dashboard in React');

    const stats = await request.get('/v1/memory/stats', { headers: auth });
    expect((await stats.json()).total_memories).toBe(2);

    const chat = await request.post('/v1/chat/', { headers: auth, data: { message: 'What am I building?', external_user_id: 'john_doe@gmail.com' } });
    const reply = await chat.json();
    expect(reply.used_memories[0].memory_text).toBe('User is building a SaaS dashboard in React');
    expect(reply.reply).toContain('SaaS dashboard');

    const legacy = await request.post('/v1/chat/legacy', { headers: auth, data: { message: 'What am I building?', external_user_id: 'john_doe@gmail.com' } });
    expect(Object.keys(await legacy.json()).sort()).toEqual(['memories_used', 'memory_ids', 'mode', 'reply']);

    const deleted = await request.delete(`/v1/memory/${memory.id}`, { headers: auth });
    expect(deleted.status()).toBe(200);
    expect((await request.get(`/v1/memory/${memory.id}`, { headers: auth })).status()).toBe(404);
  });

  test('every path answers under /api/v1 and /v1, with and without a trailing slash, keeping POST bodies', async ({ request }) => {
    const { apiKey } = await signUpWithKey(request);
    const auth = { Authorization: `Bearer ${apiKey}` };
    for (const path of ['/v1/memory', '/v1/memory/', '/api/v1/memory', '/api/v1/memory/']) {
      const res = await request.post(path, { headers: auth, data: { content: `stored via ${path}`, external_user_id: 'paths@example.com' }, maxRedirects: 0 });
      expect(res.status(), path).toBe(201);
      expect((await res.json()).memory.content).toBe(`stored via ${path}`);
      expect(res.headers()['x-request-id']).toBeTruthy();
    }
    for (const path of ['/v1/memory/stats', '/v1/memory/stats/', '/api/v1/memory/stats/']) {
      const res = await request.get(path, { headers: auth, maxRedirects: 0 });
      expect(res.status(), path).toBe(200);
    }
  });

  test('errors have the documented shapes', async ({ request }) => {
    const { apiKey } = await signUpWithKey(request);
    const missing = await request.post('/v1/memory/', { data: { content: 'x', external_user_id: 'u' } });
    expect(missing.status()).toBe(401);
    expect(await missing.json()).toEqual({ detail: 'Invalid or missing API key' });
    const invalid = await request.post('/v1/memory/search', { headers: { Authorization: `Bearer ${apiKey}` }, data: { external_user_id: 'u' } });
    expect(invalid.status()).toBe(422);
    const body = await invalid.json();
    expect(body).toMatchObject({ status: 'error', message: 'Validation error', details: [{ type: 'missing', loc: ['body', 'query'], msg: 'Field required' }] });
    const malformed = await request.post('/v1/memory/', { headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' }, data: Buffer.from('{"content":') });
    expect(malformed.status()).toBe(400);
    const notFound = await request.get('/v1/memory/e32754fa-9b24-4c3e-b8f1-2a1c9d3e4f56', { headers: { Authorization: `Bearer ${apiKey}` } });
    expect(await notFound.json()).toEqual({ detail: 'Memory not found' });
  });

  test('serves the OpenAPI document generated from the schemas', async ({ request }) => {
    const doc = await (await request.get('/api/v1/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    const search = doc.paths['/v1/memory/search'].post;
    expect(search.operationId).toBe('searchMemories');
    expect(search.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/SearchMemoriesBody' });
    expect(doc.components.schemas.SearchMemoriesBody.required).toEqual(['query', 'external_user_id']);
    expect(search.responses['429']).toEqual({ $ref: '#/components/responses/RateLimited' });
  });
});

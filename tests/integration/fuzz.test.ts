import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as chat from '@/app/api/v1/chat/route';
import * as legacy from '@/app/api/v1/chat/legacy/route';
import * as contextRoute from '@/app/api/v1/context/route';
import * as ingest from '@/app/api/v1/ingest/route';
import * as keys from '@/app/api/v1/keys/route';
import * as memories from '@/app/api/v1/memories/route';
import * as m3memory from '@/app/api/v1/memories/[id]/route';
import * as memory from '@/app/api/v1/memory/route';
import * as memoryById from '@/app/api/v1/memory/[memory_id]/route';
import * as prune from '@/app/api/v1/memory/prune/route';
import * as search from '@/app/api/v1/memory/search/route';
import * as m3search from '@/app/api/v1/search/route';
import * as users from '@/app/api/v1/users/[external_user_id]/route';
import { createAccount, type TestAccount } from '@/tests/helpers/accounts';
import { call } from '@/tests/helpers/http';
import { startTestApp, type TestApp } from '@/tests/helpers/services';

let app: TestApp;
let account: TestAccount;
let casesRun = 0;

beforeAll(async () => {
  app = await startTestApp();
  account = await createAccount();
});
afterAll(async () => {
  console.log(`fuzz: ${casesRun} hostile requests, no 5xx`);
  await app.stop();
});

const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', 'a\u0000b', "'; drop table memories; --", '%_\\', '\ud800', '😀'.repeat(50), 'x'.repeat(20_000), '../../etc/passwd', '<script>alert(1)</script>', '${7*7}', 'null', '-1', '1e309'),
);
const hostile = fc.oneof(
  hostileString,
  fc.integer(),
  fc.double(),
  fc.constantFrom(null, true, false, -1, 0, 1e308, Number.MAX_SAFE_INTEGER, -0),
  fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 10 }), fc.oneof(fc.string(), fc.integer(), fc.constant(null)), { maxKeys: 4 }),
);
const body = (fields: string[]) => fc.oneof(fc.record(Object.fromEntries(fields.map((f) => [f, hostile])), { requiredKeys: [] }), fc.anything());
const query = (fields: string[]) => fc.record(Object.fromEntries(fields.map((f) => [f, hostileString])), { requiredKeys: [] });

type Handler = Parameters<typeof call>[0];
const ENDPOINTS: { name: string; handler: Handler; method: string; path: string; body?: string[]; query?: string[]; param?: string; session?: boolean }[] = [
  { name: 'POST /v1/memory', handler: memory.POST, method: 'POST', path: '/api/v1/memory', body: ['content', 'external_user_id', 'metadata'] },
  { name: 'GET /v1/memory', handler: memory.GET, method: 'GET', path: '/api/v1/memory', query: ['limit', 'offset', 'external_user_id', 'archived'] },
  { name: 'POST /v1/memory/search', handler: search.POST, method: 'POST', path: '/api/v1/memory/search', body: ['query', 'external_user_id', 'limit', 'similarity_threshold'] },
  { name: 'GET /v1/memory/search', handler: search.GET, method: 'GET', path: '/api/v1/memory/search', query: ['query', 'external_user_id', 'limit', 'similarity_threshold'] },
  { name: 'GET /v1/memory/{id}', handler: memoryById.GET, method: 'GET', path: '/api/v1/memory/x', param: 'memory_id' },
  { name: 'DELETE /v1/memory/{id}', handler: memoryById.DELETE, method: 'DELETE', path: '/api/v1/memory/x', param: 'memory_id' },
  { name: 'POST /v1/memory/prune', handler: prune.POST, method: 'POST', path: '/api/v1/memory/prune', query: ['max_age_days', 'min_importance', 'max_memories', 'archive_only', 'dry_run'] },
  { name: 'POST /v1/chat', handler: chat.POST, method: 'POST', path: '/api/v1/chat', body: ['message', 'external_user_id', 'top_k', 'conversation_id', 'stream'] },
  { name: 'POST /v1/chat/legacy', handler: legacy.POST, method: 'POST', path: '/api/v1/chat/legacy', body: ['message', 'external_user_id', 'top_k'] },
  { name: 'POST /v1/ingest', handler: ingest.POST, method: 'POST', path: '/api/v1/ingest', body: ['userId', 'agentId', 'messages', 'conversationId', 'metadata'] },
  { name: 'POST /v1/context', handler: contextRoute.POST, method: 'POST', path: '/api/v1/context', body: ['userId', 'agentId', 'messages', 'tokenBudget'] },
  { name: 'POST /v1/search', handler: m3search.POST, method: 'POST', path: '/api/v1/search', body: ['userId', 'query', 'limit', 'categories', 'metadata', 'explain'] },
  { name: 'GET /v1/memories', handler: memories.GET, method: 'GET', path: '/api/v1/memories', query: ['page', 'pageSize', 'userId', 'agentId', 'category', 'includeSuperseded'] },
  { name: 'GET /v1/memories/{id}', handler: m3memory.GET, method: 'GET', path: '/api/v1/memories/x', param: 'id' },
  { name: 'DELETE /v1/users/{id}', handler: users.DELETE, method: 'DELETE', path: '/api/v1/users/x', param: 'external_user_id' },
  { name: 'POST /v1/keys', handler: keys.POST, method: 'POST', path: '/api/v1/keys', body: ['name', 'scopes', 'agent_id'], session: true },
];

describe('fuzz: hostile input never gets a 5xx', () => {
  for (const endpoint of ENDPOINTS) {
    it(endpoint.name, async () => {
      const input = endpoint.body ? body(endpoint.body) : endpoint.query ? query(endpoint.query) : hostileString;
      await fc.assert(
        fc.asyncProperty(input, async (value) => {
          casesRun += 1;
          const token = endpoint.session ? account.accessToken : account.apiKey;
          const res = await call(endpoint.handler, endpoint.method, endpoint.path, {
            token,
            ...(endpoint.body ? { body: value } : {}),
            ...(endpoint.query ? { query: value as Record<string, string> } : {}),
            ...(endpoint.param ? { params: { [endpoint.param]: String(value) } } : {}),
          });
          expect(res.status, `${endpoint.name} ${JSON.stringify(value)?.slice(0, 200)} -> ${res.text.slice(0, 200)}`).toBeLessThan(500);
          expect(res.text).not.toMatch(/at \w+ \(|stack|syntax error at|postgres|select .* from/i);
        }),
        { numRuns: 40, seed: 20261121 },
      );
    });
  }

  it('left no invalid data behind', async () => {
    const [row] = await app.services.db.query<{ bad: number }>(
      `select count(*)::int as bad from memories
       where btrim(content) = '' or jsonb_typeof(metadata) <> 'object' or embedding is null or length(end_user_id) = 0 or length(end_user_id) > 255`,
    );
    expect(row!.bad).toBe(0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as chat from '@/app/api/v1/chat/route';
import * as legacy from '@/app/api/v1/chat/legacy/route';
import * as contextRoute from '@/app/api/v1/context/route';
import * as exportRoute from '@/app/api/v1/export/route';
import * as ingest from '@/app/api/v1/ingest/route';
import * as memories from '@/app/api/v1/memories/route';
import * as m3memory from '@/app/api/v1/memories/[id]/route';
import * as history from '@/app/api/v1/memories/[id]/history/route';
import * as memory from '@/app/api/v1/memory/route';
import * as memoryById from '@/app/api/v1/memory/[memory_id]/route';
import * as restore from '@/app/api/v1/memory/[memory_id]/restore/route';
import * as job from '@/app/api/v1/memory/maintenance/[job_type]/route';
import * as prune from '@/app/api/v1/memory/prune/route';
import * as search from '@/app/api/v1/memory/search/route';
import * as stats from '@/app/api/v1/memory/stats/route';
import * as m3search from '@/app/api/v1/search/route';
import * as users from '@/app/api/v1/users/[external_user_id]/route';
import * as dashboardMemory from '@/app/api/dashboard/memories/[memory_id]/route';
import * as dashboardMemories from '@/app/api/dashboard/memories/route';
import * as endUsers from '@/app/api/dashboard/end-users/route';
import { createAccount, type TestAccount } from '@/tests/helpers/accounts';
import { call, type CallOptions } from '@/tests/helpers/http';
import { startTestApp, type TestApp } from '@/tests/helpers/services';

const SECRET = 'zebra-violet-secret';
const VICTIM = 'victim@example.com';
const AGENT = 'victim-agent';
let app: TestApp;
let owner: TestAccount;
let other: TestAccount;
let memoryId = '';
let ingestedId = '';

beforeAll(async () => {
  app = await startTestApp();
  owner = await createAccount();
  other = await createAccount();
  const stored = await call(memory.POST, 'POST', '/api/v1/memory', { token: owner.apiKey, body: { content: `The code word is ${SECRET}`, external_user_id: VICTIM, metadata: { tag: SECRET } } });
  memoryId = stored.body.memory.id;
  const ingested = await call(ingest.POST, 'POST', '/api/v1/ingest', { token: owner.apiKey, body: { agentId: AGENT, userId: VICTIM, messages: [{ role: 'user', content: `I keep my ${SECRET} diary in Oslo.` }] } });
  ingestedId = ingested.body.memories[0].id;
});
afterAll(() => app.stop());

type Handler = Parameters<typeof call>[0];
// accountWide: the account may read its own memories by id whatever the end user; only another account is an attacker.
interface Attempt { name: string; handler: Handler; method: string; path: string; options: (user: string) => CallOptions; session?: boolean; accountWide?: boolean }

const attempts: Attempt[] = [
  { name: 'search by user', handler: search.POST, method: 'POST', path: '/api/v1/memory/search', options: (user) => ({ body: { query: 'what is the code word', external_user_id: user, similarity_threshold: 0 } }) },
  { name: 'search (GET)', handler: search.GET, method: 'GET', path: '/api/v1/memory/search', options: (user) => ({ query: { query: 'code word diary', external_user_id: user, similarity_threshold: 0 } }) },
  { name: 'list by user', handler: memory.GET, method: 'GET', path: '/api/v1/memory', options: (user) => ({ query: { external_user_id: user } }) },
  { name: 'list archived', handler: memory.GET, method: 'GET', path: '/api/v1/memory', options: (user) => ({ query: { external_user_id: user, archived: 'true' } }) },
  { name: 'get by id', handler: memoryById.GET, method: 'GET', path: '/api/v1/memory/x', options: (user) => ({ params: { memory_id: memoryId }, query: { external_user_id: user } }) },
  { name: 'stats', handler: stats.GET, method: 'GET', path: '/api/v1/memory/stats', options: (user) => ({ query: { external_user_id: user } }) },
  { name: 'chat', handler: chat.POST, method: 'POST', path: '/api/v1/chat', options: (user) => ({ body: { message: `What is the ${SECRET} code word?`, external_user_id: user } }) },
  { name: 'chat legacy', handler: legacy.POST, method: 'POST', path: '/api/v1/chat/legacy', options: (user) => ({ body: { message: `What is the ${SECRET} code word?`, external_user_id: user } }) },
  { name: 'context', handler: contextRoute.POST, method: 'POST', path: '/api/v1/context', options: (user) => ({ body: { userId: user, messages: [{ role: 'user', content: SECRET }] } }) },
  { name: 'context by agent', handler: contextRoute.POST, method: 'POST', path: '/api/v1/context', options: (user) => ({ body: { userId: user, agentId: AGENT, messages: [{ role: 'user', content: SECRET }] } }) },
  { name: 'm3 search with filters', handler: m3search.POST, method: 'POST', path: '/api/v1/search', options: (user) => ({ body: { userId: user, query: SECRET, metadata: { tag: SECRET }, agentId: AGENT } }) },
  { name: 'm3 search', handler: m3search.POST, method: 'POST', path: '/api/v1/search', options: (user) => ({ body: { userId: user, query: SECRET } }) },
  { name: 'm3 list by user and agent', handler: memories.GET, method: 'GET', path: '/api/v1/memories', options: (user) => ({ query: { userId: user, agentId: AGENT, includeSuperseded: 'true' } }) },
  { name: 'm3 get by id', handler: m3memory.GET, method: 'GET', path: '/api/v1/memories/x', options: () => ({ params: { id: ingestedId } }), accountWide: true },
  { name: 'm3 history by id', handler: history.GET, method: 'GET', path: '/api/v1/memories/x/history', options: () => ({ params: { id: ingestedId } }), accountWide: true },
  { name: 'export by user', handler: exportRoute.GET, method: 'GET', path: '/api/v1/export', options: (user) => ({ query: { external_user_id: user } }) },
  { name: 'dashboard list', handler: dashboardMemories.GET, method: 'GET', path: '/api/dashboard/memories', options: (user) => ({ query: { external_user_id: user } }), session: true },
  { name: 'dashboard end users', handler: endUsers.GET, method: 'GET', path: '/api/dashboard/end-users', options: () => ({ query: { search: 'victim' } }), session: true },
  { name: 'dashboard get by id', handler: dashboardMemory.GET, method: 'GET', path: '/api/dashboard/memories/x', options: () => ({ params: { memory_id: memoryId } }), session: true },
];

const destructive: Attempt[] = [
  { name: 'delete by id', handler: memoryById.DELETE, method: 'DELETE', path: '/api/v1/memory/x', options: (user) => ({ params: { memory_id: memoryId }, query: { external_user_id: user } }) },
  { name: 'm3 delete by id', handler: m3memory.DELETE, method: 'DELETE', path: '/api/v1/memories/x', options: () => ({ params: { id: ingestedId } }) },
  { name: 'restore by id', handler: restore.POST, method: 'POST', path: '/api/v1/memory/x/restore', options: () => ({ params: { memory_id: memoryId } }) },
  { name: 'delete end user', handler: users.DELETE, method: 'DELETE', path: '/api/v1/users/x', options: () => ({ params: { external_user_id: VICTIM } }) },
  { name: 'prune everything', handler: prune.POST, method: 'POST', path: '/api/v1/memory/prune', options: (user) => ({ query: { min_importance: '1', archive_only: 'false', external_user_id: user } }) },
  { name: 'maintenance all', handler: job.POST, method: 'POST', path: '/api/v1/memory/maintenance/all', options: (user) => ({ params: { job_type: 'all' }, query: { external_user_id: user } }) },
  { name: 'dashboard delete', handler: dashboardMemory.DELETE, method: 'DELETE', path: '/api/dashboard/memories/x', options: () => ({ params: { memory_id: memoryId } }), session: true },
];

describe.each([
  ['another account, same end user id', () => ({ token: other, user: VICTIM })],
  ['the same account, another end user id', () => ({ token: owner, user: 'attacker@example.com' })],
])('isolation: %s', (_label, who) => {
  it.each(attempts.map((a) => [a.name, a] as const))('%s reveals nothing', async (_name, attempt) => {
    const { token, user } = who();
    // The dashboard is account-wide for its own admins, so only the other account is an attacker there.
    if ((attempt.session || attempt.accountWide) && token === owner) return;
    const res = await call(attempt.handler, attempt.method, attempt.path, { token: attempt.session ? token.accessToken : token.apiKey, ...attempt.options(user) });
    expect([200, 404]).toContain(res.status);
    expect(res.text).not.toContain(SECRET);
  });
});

describe('isolation: destructive calls from another account change nothing', () => {
  it('leaves every row of the victim intact', async () => {
    const snapshot = () => app.services.db.query("select * from memories where end_user_id = $1 order by id", [VICTIM]);
    const before = await snapshot();
    expect(before.length).toBeGreaterThanOrEqual(2);
    for (const attempt of destructive) {
      const res = await call(attempt.handler, attempt.method, attempt.path, { token: attempt.session ? other.accessToken : other.apiKey, ...attempt.options(VICTIM) });
      expect(res.status, attempt.name).toBeLessThan(500);
      expect(res.text).not.toContain(SECRET);
    }
    expect(await snapshot()).toEqual(before);
  });
});

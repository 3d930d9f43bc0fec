import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ingest from '@/app/api/v1/ingest/route';
import * as memory from '@/app/api/v1/memory/route';
import { ALL_OPERATIONS, type OperationId } from '@/lib/api/operations';
import { accountIdOf, createAccount, type TestAccount } from '@/tests/helpers/accounts';
import { handlerOf, urlPathOf } from '@/tests/helpers/routes';
import { call, type CallOptions } from '@/tests/helpers/http';
import { startTestApp, type TestApp } from '@/tests/helpers/services';

const SECRET = 'zebra-violet-secret';
const VICTIM = 'victim@example.com';
const AGENT = 'victim-agent';
let app: TestApp;
let owner: TestAccount;
let other: TestAccount;
let ownerAccountId = '';
let memoryId = '';
let ingestedId = '';

beforeAll(async () => {
  app = await startTestApp();
  owner = await createAccount();
  other = await createAccount();
  ownerAccountId = await accountIdOf(app.services.db, owner);
  const stored = await call(memory.POST, 'POST', '/api/v1/memory', { token: owner.apiKey, body: { content: `The code word is ${SECRET}`, external_user_id: VICTIM, metadata: { tag: SECRET } } });
  memoryId = stored.body.memory.id;
  const ingested = await call(ingest.POST, 'POST', '/api/v1/ingest', { token: owner.apiKey, body: { agentId: AGENT, userId: VICTIM, messages: [{ role: 'user', content: `I keep my ${SECRET} diary in Oslo.` }] } });
  ingestedId = ingested.body.memories[0].id;
});
afterAll(() => app.stop());

/**
 * How to aim one operation at the victim. reach 'endUser': scoped to an end user, so the victim's own account calling
 * with another end user id is an attacker too. reach 'account': the account's own admins (and its keys, by memory id)
 * may reach every end user, so only another account is an attacker.
 */
interface Case {
  reach: 'endUser' | 'account';
  requests: (user: string) => CallOptions[];
}

// Key management: the keys are the caller's own and hold no memory data (revoking another account's key is in keys-and-auth.test.ts).
const KEY_MANAGEMENT: OperationId[] = ['createApiKey', 'listApiKeys', 'revokeApiKey'];
// Billing: the caller's own plan and Stripe links, no victim data (and billing is off here).
const BILLING: OperationId[] = ['dashboardBilling', 'startCheckout', 'openBillingPortal'];
const EXCLUDED = new Set<string>([...KEY_MANAGEMENT, ...BILLING]);

const asked = (user: string) => ({ message: `What is the ${SECRET} code word?`, external_user_id: user });
const CASES: Partial<Record<OperationId, Case>> = {
  storeMemory: { reach: 'endUser', requests: (user) => [{ body: { content: 'I drink tea every morning', external_user_id: user } }] },
  listMemories: { reach: 'endUser', requests: (user): CallOptions[] => [{ query: { external_user_id: user } }, { query: { external_user_id: user, archived: 'true' } }] },
  searchMemories: { reach: 'endUser', requests: (user) => [{ body: { query: 'what is the code word', external_user_id: user, similarity_threshold: 0 } }] },
  searchMemoriesByQuery: { reach: 'endUser', requests: (user) => [{ query: { query: 'code word diary', external_user_id: user, similarity_threshold: 0 } }] },
  getMemoryStats: { reach: 'endUser', requests: (user) => [{ query: { external_user_id: user } }] },
  getMemory: { reach: 'endUser', requests: (user) => [{ params: { memory_id: memoryId }, query: { external_user_id: user } }] },
  deleteMemory: { reach: 'endUser', requests: (user) => [{ params: { memory_id: memoryId }, query: { external_user_id: user } }] },
  restoreMemory: { reach: 'account', requests: () => [{ params: { memory_id: memoryId } }] },
  summarizeMemories: { reach: 'endUser', requests: (user) => [{ query: { external_user_id: user } }] },
  pruneMemories: { reach: 'endUser', requests: (user) => [{ query: { min_importance: '1', archive_only: 'false', external_user_id: user } }] },
  runMaintenance: { reach: 'endUser', requests: (user) => [{ params: { job_type: 'all' }, query: { external_user_id: user } }] },
  listMaintenanceRuns: { reach: 'account', requests: () => [{}] },
  exportMemories: { reach: 'endUser', requests: (user) => [{ query: { external_user_id: user } }] },
  // Ids that exist anywhere are skipped, never overwritten.
  importMemories: {
    reach: 'endUser',
    requests: (user) => [{ rawBody: JSON.stringify({ id: memoryId, external_user_id: user, content: 'The code word is overwritten' }), headers: { 'content-type': 'application/x-ndjson' } }],
  },
  eraseEndUser: { reach: 'endUser', requests: (user) => [{ params: { external_user_id: user } }] },
  chat: { reach: 'endUser', requests: (user) => [{ body: asked(user) }, { body: { ...asked(user), stream: true } }] },
  chatLegacy: { reach: 'endUser', requests: (user) => [{ body: asked(user) }] },
  ingestConversation: { reach: 'endUser', requests: (user) => [{ body: { agentId: AGENT, userId: user, messages: [{ role: 'user', content: 'I keep my diary in Oslo.' }] } }] },
  buildContext: {
    reach: 'endUser',
    requests: (user) => [{ body: { userId: user, messages: [{ role: 'user', content: SECRET }] } }, { body: { userId: user, agentId: AGENT, messages: [{ role: 'user', content: SECRET }] } }],
  },
  searchWithFilters: {
    reach: 'endUser',
    requests: (user) => [{ body: { userId: user, query: SECRET } }, { body: { userId: user, query: SECRET, metadata: { tag: SECRET }, agentId: AGENT } }],
  },
  listMemoriesPaged: { reach: 'endUser', requests: (user) => [{ query: { userId: user, agentId: AGENT, includeSuperseded: 'true' } }] },
  getMemoryDetail: { reach: 'account', requests: () => [{ params: { id: ingestedId } }] },
  deleteMemoryDetail: { reach: 'account', requests: () => [{ params: { id: ingestedId } }] },
  getMemoryHistory: { reach: 'account', requests: () => [{ params: { id: ingestedId } }] },
  getAccountStatus: { reach: 'account', requests: () => [{}] },
  dashboardOverview: { reach: 'account', requests: () => [{}] },
  dashboardUsage: { reach: 'account', requests: () => [{}] },
  dashboardChat: { reach: 'account', requests: (user) => [{ body: asked(user) }] },
  dashboardEndUsers: { reach: 'account', requests: () => [{ query: { search: 'victim' } }] },
  dashboardEraseEndUser: { reach: 'account', requests: (user) => [{ params: { external_user_id: user } }] },
  dashboardMaintenanceRuns: { reach: 'account', requests: () => [{}] },
  dashboardMemories: { reach: 'account', requests: (user) => [{ query: { external_user_id: user } }] },
  dashboardMemory: { reach: 'account', requests: () => [{ params: { memory_id: memoryId } }] },
  dashboardDeleteMemory: { reach: 'account', requests: () => [{ params: { memory_id: memoryId } }] },
  dashboardMemoryHistory: { reach: 'account', requests: () => [{ params: { memory_id: memoryId } }] },
  dashboardSearch: {
    reach: 'account',
    requests: (user) => [{ body: { query: 'what is the code word', similarity_threshold: 0 } }, { body: { query: 'what is the code word', external_user_id: user, similarity_threshold: 0 } }],
  },
};

const AUTHENTICATED = ALL_OPERATIONS.filter((op) => op.auth === 'apiKey' || op.auth === 'session');
const COVERED = AUTHENTICATED.filter((op) => !EXCLUDED.has(op.operationId)).flatMap((op) => {
  const attempt = CASES[op.operationId as OperationId];
  return attempt ? [{ op, ...attempt }] : [];
});


/** Everything stored for the victim: memories (content, access counts, archive and supersession), entities, edges. */
async function victimRows() {
  const db = app.services.db;
  const where = 'account_id = $1 and end_user_id = $2';
  return {
    memories: await db.query(`select * from memories where ${where} order by id`, [ownerAccountId, VICTIM]),
    entities: await db.query(`select * from entities where ${where} order by id`, [ownerAccountId, VICTIM]),
    links: await db.query(
      'select me.* from memory_entities me join memories m on m.id = me.memory_id where m.account_id = $1 and m.end_user_id = $2 order by me.memory_id, me.entity_id',
      [ownerAccountId, VICTIM],
    ),
    edges: await db.query(`select * from edges where ${where} order by id`, [ownerAccountId, VICTIM]),
  };
}

describe('isolation: the cases', () => {
  it('cover every authenticated operation not excluded', () => {
    const missing = AUTHENTICATED.filter((op) => !EXCLUDED.has(op.operationId) && !CASES[op.operationId as OperationId]).map((op) => op.operationId);
    expect(missing).toEqual([]);
    expect([...EXCLUDED].filter((id) => CASES[id as OperationId])).toEqual([]);
  });

  it('aim at data the owner can see', async () => {
    const rows = await victimRows();
    expect(rows.memories.map((row) => row.id)).toEqual(expect.arrayContaining([memoryId, ingestedId]));
    const own = await call(memory.GET, 'GET', '/api/v1/memory', { token: owner.apiKey, query: { external_user_id: VICTIM } });
    expect(own.text).toContain(SECRET);
  });
});

const ATTACKERS = [
  { label: 'another account, same end user id', sameAccount: false, who: () => ({ account: other, user: VICTIM }) },
  { label: 'the same account, another end user id', sameAccount: true, who: () => ({ account: owner, user: 'attacker@example.com' }) },
];

for (const attacker of ATTACKERS) {
  const cases = COVERED.filter((attempt) => !attacker.sameAccount || attempt.reach === 'endUser');
  describe(`isolation: ${attacker.label}`, () => {
    it.each(cases.map((attempt) => [attempt.op.operationId, attempt] as const))('%s reveals and changes nothing of the victim', async (id, { op, requests }) => {
      const { account, user } = attacker.who();
      const handler = await handlerOf(op);
      const before = await victimRows();
      for (const options of requests(user)) {
        const res = await call(handler, op.method, urlPathOf(op), { token: op.auth === 'session' ? account.accessToken : account.apiKey, ...options });
        expect([op.status ?? 200, 403, 404], `${id} ${JSON.stringify(options)} -> ${res.status} ${res.text.slice(0, 200)}`).toContain(res.status);
        expect(res.text).not.toContain(SECRET);
      }
      expect(await victimRows()).toEqual(before);
    });
  });
}

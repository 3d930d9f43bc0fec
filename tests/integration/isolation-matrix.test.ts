import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ingest from '@/app/api/v1/ingest/route';
import * as keys from '@/app/api/v1/keys/route';
import * as history from '@/app/api/v1/memories/[id]/history/route';
import * as memory from '@/app/api/v1/memory/route';
import { ALL_OPERATIONS, type Operation, type OperationId } from '@/lib/api/operations';
import { accountIdOf, createAccount, type TestAccount } from '@/tests/helpers/accounts';
import { handlerOf, urlPathOf } from '@/tests/helpers/routes';
import { call, type CallOptions } from '@/tests/helpers/http';
import { startTestApp, type TestApp } from '@/tests/helpers/services';

const SECRET = 'zebra-violet-secret';
const VICTIM = 'victim@example.com';
const AGENT = 'victim-agent';
const INTRUDER = 'intruder-agent';
let app: TestApp;
let owner: TestAccount;
let other: TestAccount;
let ownerAccountId = '';
let memoryId = '';
let ingestedId = '';
let intruderKey = '';
let readerKey = '';
// The intruder agent's own memory, chained (superseded) to the victim agent's: its history must not show the victim's.
let chainedId = '';

beforeAll(async () => {
  app = await startTestApp();
  owner = await createAccount();
  other = await createAccount();
  ownerAccountId = await accountIdOf(app.services.db, owner);
  const stored = await call(memory.POST, 'POST', '/api/v1/memory', { token: owner.apiKey, body: { content: `The code word is ${SECRET}`, external_user_id: VICTIM, metadata: { tag: SECRET } } });
  memoryId = stored.body.memory.id;
  const ingested = await call(ingest.POST, 'POST', '/api/v1/ingest', { token: owner.apiKey, body: { agentId: AGENT, userId: VICTIM, messages: [{ role: 'user', content: `I keep my ${SECRET} diary in Oslo.` }] } });
  ingestedId = ingested.body.memories[0].id;
  const key = async (body: Record<string, unknown>) => (await call(keys.POST, 'POST', '/api/v1/keys', { token: owner.accessToken, body: { name: 'Scoped', ...body } })).body.api_key as string;
  const victimKey = await key({ agent_id: AGENT });
  intruderKey = await key({ agent_id: INTRUDER });
  readerKey = await key({ scopes: ['read'] });
  // Tripwires for maintenance run by another agent: a cluster summarization would summarize, a link, and importances a
  // recalculation would change (no uses yet, so a recalculation resets them to their base).
  for (const content of ['I love hiking in the Alps.', 'I really love hiking in the Alps.', 'I love hiking in the Alps every summer.']) {
    await call(memory.POST, 'POST', '/api/v1/memory', { token: victimKey, body: { content, external_user_id: VICTIM } });
  }
  await app.services.db.query('update memories set importance = 0.97 where account_id = $1 and end_user_id = $2', [ownerAccountId, VICTIM]);
  await app.services.db.query('insert into memory_links (account_id, end_user_id, source_id, target_id, similarity) values ($1, $2, $3, $4, 0.9)', [
    ownerAccountId,
    VICTIM,
    ingestedId,
    memoryId,
  ]);
  const chained = await call(memory.POST, 'POST', '/api/v1/memory', { token: intruderKey, body: { content: 'I used to keep a paper notebook', external_user_id: VICTIM } });
  chainedId = chained.body.memory.id;
  // An unscoped import can chain memories of different agents.
  await app.services.db.query('update memories set superseded_by = $2, valid_to = now() where id = $1', [chainedId, ingestedId]);
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

const mcpCall = (name: string, args: Record<string, unknown>): CallOptions => ({ body: { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } } });
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
  openAiChatCompletion: {
    reach: 'endUser',
    requests: (user) => [
      { body: { model: 'any', messages: [{ role: 'user', content: asked(user).message }], user } },
      { body: { model: 'any', messages: [{ role: 'user', content: asked(user).message }], stream: true }, headers: { 'x-end-user-id': user } },
    ],
  },
  ingestConversation: {
    reach: 'endUser',
    requests: (user) => [
      { body: { agentId: AGENT, userId: user, messages: [{ role: 'user', content: 'I keep my diary in Oslo.' }] } },
      { body: { userId: user, messages: [{ role: 'user', content: 'I keep my diary in Oslo.' }] } },
    ],
  },
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
  getMemoryHistory: { reach: 'account', requests: () => [{ params: { id: ingestedId } }, { params: { id: chainedId } }] },
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
  dashboardExplainSearch: { reach: 'account', requests: (user) => [{ body: { userId: user, query: SECRET, explain: true } }] },
  // A budget too small for anything: every candidate is listed as left out, with its text.
  dashboardContext: { reach: 'account', requests: (user) => [{ body: { userId: user, messages: [{ role: 'user', content: SECRET }], tokenBudget: 1 } }] },
  dashboardExport: { reach: 'account', requests: (user) => [{ query: { external_user_id: user } }, {}] },
  dashboardImport: {
    reach: 'account',
    requests: (user) => [{ rawBody: JSON.stringify({ id: memoryId, external_user_id: user, content: 'The code word is overwritten' }), headers: { 'content-type': 'application/x-ndjson' } }],
  },
  dashboardRestoreMemory: { reach: 'account', requests: () => [{ params: { memory_id: memoryId } }] },
  // Settings belong to the caller's own account: another account's session changes only its own.
  dashboardSettings: { reach: 'account', requests: () => [{}] },
  dashboardUpdateSettings: { reach: 'account', requests: () => [{ body: { scheduled_pruning: true } }] },
  dashboardRunMaintenance: { reach: 'account', requests: (user) => [{ params: { job_type: 'all' }, query: { external_user_id: user } }, { params: { job_type: 'all' } }] },
  // MCP: every tool aimed at the victim by end user (forget by the victim's memory id), the resource by its URI, and the
  // end user given by the connection (header, query) instead of the call.
  mcp: {
    reach: 'endUser',
    requests: (user): CallOptions[] => [
      mcpCall('recall', { query: 'what is the code word', external_user_id: user, similarity_threshold: 0 }),
      mcpCall('get_context', { query: SECRET, external_user_id: user }),
      mcpCall('list_memories', { external_user_id: user }),
      mcpCall('forget', { memory_id: memoryId, external_user_id: user }),
      mcpCall('remember', { content: 'I drink tea every morning', external_user_id: user }),
      { body: { jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri: `memory://${encodeURIComponent(user)}` } } },
      { ...mcpCall('recall', { query: 'code word diary', similarity_threshold: 0 }), headers: { 'x-end-user-id': user } },
      { ...mcpCall('list_memories', {}), query: { external_user_id: user } },
    ],
  },
};

const AUTHENTICATED = ALL_OPERATIONS.filter((op) => op.auth === 'apiKey' || op.auth === 'session');
const COVERED = AUTHENTICATED.filter((op) => !EXCLUDED.has(op.operationId)).flatMap((op) => {
  const attempt = CASES[op.operationId as OperationId];
  return attempt ? [{ op, ...attempt }] : [];
});


/**
 * Everything stored for the victim: memories (content, access counts, archive and supersession), entities, edges,
 * similarity links. Without the attacker agent's own memories, and what hangs on them only, when the attacker is an agent.
 */
async function victimRows(attackerAgent: string | null = null) {
  const db = app.services.db;
  const args = [ownerAccountId, VICTIM, attackerAgent];
  const victims = 'select id from memories where account_id = $1 and end_user_id = $2 and ($3::text is null or agent_id is distinct from $3)';
  return {
    memories: await db.query(`select * from memories where id in (${victims}) order by id`, args),
    entities: await db.query(
      `select * from entities e where account_id = $1 and end_user_id = $2
         and ($3::text is null or exists (select 1 from memory_entities me where me.entity_id = e.id and me.memory_id in (${victims})))
       order by id`,
      args,
    ),
    links: await db.query(`select * from memory_entities where memory_id in (${victims}) order by memory_id, entity_id`, args),
    edges: await db.query(`select * from edges where account_id = $1 and end_user_id = $2 and ($3::text is null or memory_id in (${victims})) order by id`, args),
    similar: await db.query(`select * from memory_links where source_id in (${victims}) or target_id in (${victims}) order by source_id, target_id`, args),
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
    expect(rows.memories.find((row) => row.id === chainedId)).toMatchObject({ agent_id: INTRUDER, superseded_by: ingestedId });
    expect(rows.similar).toHaveLength(1);
    const own = await call(memory.GET, 'GET', '/api/v1/memory', { token: owner.apiKey, query: { external_user_id: VICTIM } });
    expect(own.text).toContain(SECRET);
    // The read-only key reads the account's memories: its refusals are about writing.
    const read = await call(memory.GET, 'GET', '/api/v1/memory', { token: readerKey, query: { external_user_id: VICTIM } });
    expect(read.text).toContain(SECRET);
    // The intruder agent reaches its own memory of the chain.
    expect((await call(history.GET, 'GET', `/api/v1/memories/${chainedId}/history`, { token: intruderKey, params: { id: chainedId } })).status).toBe(200);
  });
});

const accessOf = (op: Operation) => op.scope ?? (op.method === 'GET' ? 'read' : 'write');
const allowed = (op: Operation) => [op.status ?? 200, 403, 404];

interface Attacker {
  label: string;
  applies: (attempt: (typeof COVERED)[number]) => boolean;
  who: () => { apiKey: string; accessToken?: string; user: string };
  /** An agent-scoped attacker: its own memories (and what hangs on them) are not the victim's. */
  agent?: string;
  statuses: (op: Operation) => number[];
}

const ATTACKERS: Attacker[] = [
  { label: 'another account, same end user id', applies: () => true, who: () => ({ ...other, user: VICTIM }), statuses: allowed },
  { label: 'the same account, another end user id', applies: (attempt) => attempt.reach === 'endUser', who: () => ({ ...owner, user: 'attacker@example.com' }), statuses: allowed },
  // Session routes are the account's owner; an agent-scoped key can call every API-key operation, by end user or by id.
  { label: 'another agent of the same account, same end user id', applies: (attempt) => attempt.op.auth === 'apiKey', who: () => ({ apiKey: intruderKey, user: VICTIM }), agent: INTRUDER, statuses: allowed },
  // Reading is what a read-only key is for; every operation that writes must be refused.
  {
    label: 'a read-only key of the same account',
    applies: (attempt) => attempt.op.auth === 'apiKey' && accessOf(attempt.op) === 'write',
    who: () => ({ apiKey: readerKey, user: VICTIM }),
    statuses: () => [403],
  },
];

for (const attacker of ATTACKERS) {
  const cases = COVERED.filter(attacker.applies);
  describe(`isolation: ${attacker.label}`, () => {
    it.each(cases.map((attempt) => [attempt.op.operationId, attempt] as const))('%s reveals and changes nothing of the victim', async (id, { op, requests }) => {
      const { apiKey, accessToken, user } = attacker.who();
      const handler = await handlerOf(op);
      const before = await victimRows(attacker.agent);
      for (const options of requests(user)) {
        const res = await call(handler, op.method, urlPathOf(op), { token: op.auth === 'session' ? accessToken : apiKey, ...options });
        expect(attacker.statuses(op), `${id} ${JSON.stringify(options)} -> ${res.status} ${res.text.slice(0, 200)}`).toContain(res.status);
        expect(res.text).not.toContain(SECRET);
      }
      expect(await victimRows(attacker.agent)).toEqual(before);
    });
  });
}

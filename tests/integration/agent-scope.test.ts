import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as chatRoute from '@/app/api/v1/chat/route';
import * as keys from '@/app/api/v1/keys/route';
import * as history from '@/app/api/v1/memories/[id]/history/route';
import * as memory from '@/app/api/v1/memory/route';
import * as stats from '@/app/api/v1/memory/stats/route';
import * as status from '@/app/api/v1/status/route';
import type { LlmRequest } from '@/lib/llm/types';
import { createOfflineLlm } from '@/lib/llm/offline';
import { accountIdOf, createAccount, type TestAccount } from '@/tests/helpers/accounts';
import { call } from '@/tests/helpers/http';
import { startTestApp, type TestApp } from '@/tests/helpers/services';

// Two agents of one account: a key of one agent must neither see nor count the other agent's memories.
let app: TestApp;
let owner: TestAccount;
let accountId = '';
let victim = '';
let intruder = '';
const prompts: LlmRequest[] = [];

beforeAll(async () => {
  const offline = createOfflineLlm();
  app = await startTestApp({
    overrides: {
      llm: {
        ...offline,
        generate: (request) => {
          prompts.push(request);
          return offline.generate(request);
        },
      },
    },
  });
  owner = await createAccount();
  accountId = await accountIdOf(app.services.db, owner);
  const key = async (agentId: string) =>
    (await call(keys.POST, 'POST', '/api/v1/keys', { token: owner.accessToken, body: { name: agentId, agent_id: agentId } })).body.api_key as string;
  victim = await key('victim-agent');
  intruder = await key('intruder-agent');
});
afterAll(() => app.stop());

const storeAs = async (token: string, user: string, content: string) =>
  (await call(memory.POST, 'POST', '/api/v1/memory', { token, body: { content, external_user_id: user } })).body.memory.id as string;

describe('agent-scoped keys', () => {
  it('chat history: an agent reads only its own agent\'s turns of a conversation', async () => {
    await app.services.db.query(
      `insert into chat_messages (account_id, end_user_id, conversation_id, role, content, agent_id, created_at)
       values ($1, 'chatter', 'shared-thread', 'user', 'My locker code is 4312', 'victim-agent', now() - interval '1 minute'),
              ($1, 'chatter', 'shared-thread', 'assistant', 'Noted, locker 4312.', 'victim-agent', now() - interval '59 seconds')`,
      [accountId],
    );
    const ask = async (token: string) => {
      prompts.length = 0;
      const res = await call(chatRoute.POST, 'POST', '/api/v1/chat', { token, body: { message: 'What did I tell you?', external_user_id: 'chatter', conversation_id: 'shared-thread' } });
      expect(res.status).toBe(200);
      return prompts.at(-1)!.messages;
    };
    expect(await ask(intruder)).toEqual([{ role: 'user', content: 'What did I tell you?' }]);
    expect(await ask(victim)).toEqual([
      { role: 'user', content: 'My locker code is 4312' },
      { role: 'assistant', content: 'Noted, locker 4312.' },
      { role: 'user', content: 'What did I tell you?' },
    ]);
  });

  it('history chain: an agent sees only its own agent\'s memories of the chain', async () => {
    const older = await storeAs(intruder, 'chained', 'I used to keep a paper notebook');
    const newer = await storeAs(victim, 'chained', 'The victim agent knows the vault code 7781');
    // An unscoped import can chain memories of different agents.
    await app.services.db.query('update memories set superseded_by = $2, valid_to = now() where id = $1', [older, newer]);
    const chainOf = async (token: string, id: string) => (await call(history.GET, 'GET', `/api/v1/memories/${id}/history`, { token, params: { id } })).body;
    const seen = await chainOf(intruder, older);
    expect(seen.history.map((row: { id: string }) => row.id)).toEqual([older]);
    expect(JSON.stringify(seen)).not.toContain('7781');
    expect(seen.current).toBeNull();
    expect((await chainOf(victim, newer)).history.map((row: { id: string }) => row.id)).toEqual([newer]);
    expect(await chainOf(owner.apiKey, older)).toMatchObject({ history: [{ id: older }, { id: newer }], current: newer });
  });

  it('/v1/memory/stats and /v1/status count the agent\'s memories only; plan usage stays the account\'s', async () => {
    const fresh = await createAccount();
    const key = async (agentId: string) =>
      (await call(keys.POST, 'POST', '/api/v1/keys', { token: fresh.accessToken, body: { name: agentId, agent_id: agentId } })).body.api_key as string;
    const [victimKey, intruderKey] = [await key('victim-agent'), await key('intruder-agent')];
    await storeAs(victimKey, 'stats-user', 'The victim agent notes a sailing trip');
    await storeAs(victimKey, 'victim-only-user', 'The victim agent notes a dentist visit');
    await storeAs(intruderKey, 'stats-user', 'I collect vintage postcards');
    await storeAs(fresh.apiKey, 'stats-user', 'An unscoped key notes the weather');
    const statsOf = async (token: string) => (await call(stats.GET, 'GET', '/api/v1/memory/stats', { token })).body;
    const statusOf = async (token: string) => (await call(status.GET, 'GET', '/api/v1/status', { token })).body;
    expect(await statsOf(intruderKey)).toMatchObject({ total_memories: 1, end_users: 1 });
    expect(await statsOf(fresh.apiKey)).toMatchObject({ total_memories: 4, end_users: 2 });
    const [intruderStatus, accountStatus] = [await statusOf(intruderKey), await statusOf(fresh.apiKey)];
    expect(intruderStatus.memoriesStored).toBe(1);
    expect(accountStatus.memoriesStored).toBe(4);
    expect(intruderStatus.requestsToday).toBe(accountStatus.requestsToday - 1);
  });
});

import { describe, expect, it } from 'vitest';
import * as ingest from '@/app/api/v1/ingest/route';
import * as keys from '@/app/api/v1/keys/route';
import * as memoryById from '@/app/api/v1/memory/[memory_id]/route';
import * as prune from '@/app/api/v1/memory/prune/route';
import * as memory from '@/app/api/v1/memory/route';
import { withAccount } from '@/tests/helpers/fixtures';
import { call } from '@/tests/helpers/http';

// The gap left by finding 13: a memory's context holds the turns around the message it came from (ingest) or the
// memories said before and after it in its session (POST /v1/memory). Deleting a memory left its text there, in the
// other memories of the same conversation. Deletion now removes those lines in the same transaction.

const alice = withAccount();

const SECRET = 'I was treated for depression at the Charité clinic';
const turns = [
  { role: 'user', content: 'I work at Siemens as an engineer' },
  { role: 'user', content: SECRET },
  { role: 'user', content: 'I play the cello on weekends' },
];

async function ingestTurns(user: string, conversationId: string, token = alice.apiKey) {
  const res = await call(ingest.POST, 'POST', '/api/v1/ingest', { token, body: { userId: user, conversationId, messages: turns } });
  expect(res.status).toBe(200);
  return res.body.memories as { id: string; content: string }[];
}
const contextsOf = async (user: string) =>
  alice.app.services.db.query<{ id: string; content: string; context: string | null }>(
    'select id, content, context from memories where account_id = $1 and end_user_id = $2 order by created_at, content',
    [alice.accountId, user],
  );
const storage = async () =>
  (await alice.app.services.db.query<{ counted: number; recomputed: number }>('select storage_bytes::float8 as counted, account_storage_bytes(id)::float8 as recomputed from accounts where id = $1', [alice.accountId]))[0]!;

describe('a deleted memory’s text leaves the context of the other memories of its conversation', () => {
  it('DELETE /v1/memory/{id}: the neighbours’ contexts lose the deleted turn and keep the rest', async () => {
    const memories = await ingestTurns('patient', 'visit-1');
    const secret = memories.find((m) => m.content === SECRET)!;
    const before = await contextsOf('patient');
    // Before: both neighbours carry the secret turn in their context.
    expect(before.filter((row) => row.context?.includes('Charité'))).toHaveLength(2);

    const res = await call(memoryById.DELETE, 'DELETE', `/api/v1/memory/${secret.id}`, { token: alice.apiKey, params: { memory_id: secret.id } });
    expect(res.status).toBe(200);
    const after = await contextsOf('patient');
    expect(after.map((row) => row.content).sort()).toEqual(['I play the cello on weekends', 'I work at Siemens as an engineer']);
    expect(after.some((row) => row.context?.includes('Charité'))).toBe(false);
    // The first and last turns had only the secret beside them: nothing is left of their contexts.
    expect(after.map((row) => row.context)).toEqual([null, null]);
    expect((await storage()).counted).toBe((await storage()).recomputed);
  });

  it('only that conversation: the same text said in another end user’s conversation stays', async () => {
    await ingestTurns('bystander', 'visit-2');
    const memories = await ingestTurns('patient-2', 'visit-3');
    const secret = memories.find((m) => m.content === SECRET)!;
    await call(memoryById.DELETE, 'DELETE', `/api/v1/memory/${secret.id}`, { token: alice.apiKey, params: { memory_id: secret.id } });
    expect((await contextsOf('patient-2')).some((row) => row.context?.includes('Charité'))).toBe(false);
    expect((await contextsOf('bystander')).filter((row) => row.context?.includes('Charité'))).toHaveLength(2);
  });

  it('a hard prune redacts as a delete does', async () => {
    await ingestTurns('pruned-patient', 'visit-4');
    // Archive-and-delete everything but the cello turn: only its context is left to check.
    await alice.app.services.db.query("update memories set importance = 1, base_importance = 1 where account_id = $1 and end_user_id = 'pruned-patient' and content like 'I play%'", [alice.accountId]);
    const res = await call(prune.POST, 'POST', '/api/v1/memory/prune', {
      token: alice.apiKey,
      query: { external_user_id: 'pruned-patient', min_importance: '0.99', max_age_days: '36500', archive_only: 'false' },
    });
    expect(res.status).toBe(200);
    expect(res.body.pruned_count).toBe(2);
    const left = await contextsOf('pruned-patient');
    expect(left.map((row) => row.content)).toEqual(['I play the cello on weekends']);
    expect(left[0]!.context).toBeNull();
  });

  it('memories stored one by one in a session: the deleted one leaves the contexts, even where a context was cut at its limit', async () => {
    const session = { conversation_id: 'session-1' };
    const storeOne = async (content: string) =>
      (await call(memory.POST, 'POST', '/api/v1/memory', { token: alice.apiKey, body: { content, external_user_id: 'session-user', ...session } })).body.memory.id as string;
    const first = await storeOne(`I am writing a novel about sailing ${'and the sea '.repeat(120)}`);
    const second = await storeOne('My sister lives in Porto and visits in May');
    const third = await storeOne(`${SECRET} ${'for two years '.repeat(100)}`);
    const rows = async () => new Map((await contextsOf('session-user')).map((row) => [row.id, row.context]));
    const before = await rows();
    // The second memory's context is the first and the start of the third (cut at 2,000 characters).
    expect(before.get(second)).toContain('Charité');
    expect(before.get(second)!.length).toBe(2_000);

    await call(memoryById.DELETE, 'DELETE', `/api/v1/memory/${third}`, { token: alice.apiKey, params: { memory_id: third } });
    const after = await rows();
    const [firstContent] = await alice.app.services.db.query<{ content: string }>('select content from memories where id = $1', [first]);
    expect(after.get(second)).toBe(firstContent!.content);
    expect(after.get(first)).toBe(before.get(first));
    expect([...after.values()].some((context) => context?.includes('Charité'))).toBe(false);
  });

  it('an agent-scoped key’s delete leaves another agent’s memories untouched', async () => {
    const agentKey = (await call(keys.POST, 'POST', '/api/v1/keys', { token: alice.accessToken, body: { name: 'bot', agent_id: 'support-bot' } })).body.api_key as string;
    // The same conversation id used by the account key (no agent) and by the agent.
    await ingestTurns('shared-user', 'shared-visit');
    const agentMemories = await ingestTurns('shared-user', 'shared-visit', agentKey);
    expect(agentMemories).toHaveLength(3);
    const unscopedBefore = (await contextsOf('shared-user')).filter((row) => !agentMemories.some((m) => m.id === row.id));
    const secret = agentMemories.find((m) => m.content === SECRET)!;
    const res = await call(memoryById.DELETE, 'DELETE', `/api/v1/memory/${secret.id}`, { token: agentKey, params: { memory_id: secret.id } });
    expect(res.status).toBe(200);
    const all = await contextsOf('shared-user');
    const unscopedAfter = all.filter((row) => !agentMemories.some((m) => m.id === row.id));
    expect(unscopedAfter).toEqual(unscopedBefore);
    const agentAfter = all.filter((row) => agentMemories.some((m) => m.id === row.id));
    expect(agentAfter).toHaveLength(2);
    expect(agentAfter.some((row) => row.context?.includes('Charité'))).toBe(false);
  });
});

import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as chat from '@/app/api/v1/chat/route';
import * as importRoute from '@/app/api/v1/import/route';
import * as ingest from '@/app/api/v1/ingest/route';
import * as keys from '@/app/api/v1/keys/route';
import * as job from '@/app/api/v1/memory/maintenance/[job_type]/route';
import * as memoryById from '@/app/api/v1/memory/[memory_id]/route';
import * as prune from '@/app/api/v1/memory/prune/route';
import * as memory from '@/app/api/v1/memory/route';
import * as memoriesById from '@/app/api/v1/memories/[id]/route';
import * as users from '@/app/api/v1/users/[external_user_id]/route';
import { withAccount } from '@/tests/helpers/fixtures';
import { call } from '@/tests/helpers/http';

// Finding 13 of the adversarial review: deleting a current memory resurrected the fact it had replaced, a deleted
// memory's text stayed in chat history (replayed to the model), and an erased end user's id stayed in the request log
// and in maintenance runs.

const alice = withAccount();

const importLines = async (token: string, lines: Record<string, unknown>[]) => {
  const res = await call(importRoute.POST, 'POST', '/api/v1/import', { token, rawBody: lines.map((line) => JSON.stringify(line)).join('\n'), headers: { 'content-type': 'application/x-ndjson' } });
  expect(res.status).toBe(200);
  expect(res.body.imported).toBe(lines.length);
};
/** An outdated fact (superseded) and the current one that replaced it, as an export holds them. */
async function factWithHistory(token: string, user: string, agents: { old?: string; current?: string } = {}) {
  const [older, current] = [randomUUID(), randomUUID()];
  await importLines(token, [
    { id: older, external_user_id: user, agent_id: agents.old ?? null, content: 'I live in Berlin', slot: 'location:home', superseded_by: current, created_at: '2025-01-01T10:00:00.000Z' },
    { id: current, external_user_id: user, agent_id: agents.current ?? null, content: 'I moved to Paris', slot: 'location:home', created_at: '2025-06-01T10:00:00.000Z' },
  ]);
  const row = await rowOf(older);
  expect(row).toMatchObject({ superseded_by: current, archived_at: null });
  return { older, current };
}
const rowOf = async (id: string) =>
  (await alice.app.services.db.query<{ id: string; superseded_by: string | null; archived_at: Date | null }>('select id, superseded_by, archived_at from memories where id = $1', [id]))[0];
const activeIds = async (user: string) =>
  (await call(memory.GET, 'GET', '/api/v1/memory', { token: alice.apiKey, query: { external_user_id: user, limit: 100 } })).body.memories.map((m: { id: string }) => m.id);
const memoryCount = async () => (await alice.app.services.db.query<{ memory_count: number }>('select memory_count from accounts where id = $1', [alice.accountId]))[0]!.memory_count;

describe('deleting a current memory never makes the fact it replaced current again', () => {
  it('DELETE /v1/memory/{id} deletes the older versions with it', async () => {
    const { older, current } = await factWithHistory(alice.apiKey, 'mover');
    const countBefore = await memoryCount();
    const res = await call(memoryById.DELETE, 'DELETE', `/api/v1/memory/${current}`, { token: alice.apiKey, params: { memory_id: current } });
    expect(res.status).toBe(200);
    expect(await rowOf(older)).toBeUndefined();
    expect(await activeIds('mover')).toEqual([]);
    expect(await memoryCount()).toBe(countBefore - 1);
  });

  it('DELETE /v1/memories/{id} too', async () => {
    const { older, current } = await factWithHistory(alice.apiKey, 'mover-2');
    expect((await call(memoriesById.DELETE, 'DELETE', `/api/v1/memories/${current}`, { token: alice.apiKey, params: { id: current } })).status).toBe(200);
    expect(await rowOf(older)).toBeUndefined();
    expect(await activeIds('mover-2')).toEqual([]);
  });

  it('a hard prune (archive_only=false) deletes the older versions of what it prunes', async () => {
    const { older, current } = await factWithHistory(alice.apiKey, 'pruned');
    const res = await call(prune.POST, 'POST', '/api/v1/memory/prune', { token: alice.apiKey, query: { external_user_id: 'pruned', min_importance: '1', archive_only: 'false' } });
    expect(res.body).toMatchObject({ pruned_count: 1, memories: [{ id: current }] });
    expect(await rowOf(current)).toBeUndefined();
    expect(await rowOf(older)).toBeUndefined();
    expect(await activeIds('pruned')).toEqual([]);
  });

  it("an agent-scoped key's delete archives (never deletes, never revives) an older version of another agent", async () => {
    const { older, current } = await factWithHistory(alice.apiKey, 'shared-user', { old: 'other-agent', current: 'my-agent' });
    const agentKey = (await call(keys.POST, 'POST', '/api/v1/keys', { token: alice.accessToken, body: { name: 'Mine', agent_id: 'my-agent' } })).body.api_key as string;
    expect((await call(memoryById.DELETE, 'DELETE', `/api/v1/memory/${current}`, { token: agentKey, params: { memory_id: current } })).status).toBe(200);
    const row = await rowOf(older);
    expect(row).toBeDefined();
    expect(row!.archived_at).not.toBeNull();
    expect(await activeIds('shared-user')).toEqual([]);
  });
});

describe("a deleted memory's text leaves chat history", () => {
  const messagesOf = async (user: string) =>
    alice.app.services.db.query<{ id: string; role: string; content: string }>('select id, role, content from chat_messages where account_id = $1 and end_user_id = $2 order by created_at, id', [alice.accountId, user]);

  it('deleting an ingested memory deletes the message it came from', async () => {
    const res = await call(ingest.POST, 'POST', '/api/v1/ingest', {
      token: alice.apiKey,
      body: { userId: 'ingested', conversationId: 'conv-1', messages: [{ role: 'user', content: 'I am allergic to peanuts.' }, { role: 'user', content: 'I work at Siemens as an engineer.' }] },
    });
    expect(res.status).toBe(200);
    const [allergy] = await alice.app.services.db.query<{ id: string; source_message_ids: string[] }>(
      "select id, source_message_ids from memories where account_id = $1 and end_user_id = 'ingested' and content ilike '%peanuts%'",
      [alice.accountId],
    );
    expect(allergy!.source_message_ids).toHaveLength(1);
    expect((await messagesOf('ingested')).map((m) => m.content)).toContain('I am allergic to peanuts.');

    expect((await call(memoryById.DELETE, 'DELETE', `/api/v1/memory/${allergy!.id}`, { token: alice.apiKey, params: { memory_id: allergy!.id } })).status).toBe(200);
    const left = await messagesOf('ingested');
    expect(left.map((m) => m.id)).not.toContain(allergy!.source_message_ids[0]);
    expect(left.map((m) => m.content).join('\n')).not.toContain('peanuts');
    expect(left.map((m) => m.content)).toEqual(['I work at Siemens as an engineer.']);
  });

  it("deleting a chat memory deletes the user's turn and the reply to it; the rest of the conversation stays", async () => {
    const send = (message: string) => call(chat.POST, 'POST', '/api/v1/chat', { token: alice.apiKey, body: { message, external_user_id: 'chatter', conversation_id: 'chat-1' } });
    expect((await send('What should I cook tonight?')).status).toBe(200);
    const stored = await send('I am allergic to shellfish and I never eat shrimp');
    expect(stored.body.memory_created).toBe(true);
    expect(await messagesOf('chatter')).toHaveLength(4);
    const [shellfish] = await alice.app.services.db.query<{ id: string }>("select id from memories where account_id = $1 and end_user_id = 'chatter' and content ilike '%shellfish%'", [alice.accountId]);

    expect((await call(memoryById.DELETE, 'DELETE', `/api/v1/memory/${shellfish!.id}`, { token: alice.apiKey, params: { memory_id: shellfish!.id } })).status).toBe(200);
    const left = await messagesOf('chatter');
    expect(left.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(left[0]!.content).toBe('What should I cook tonight?');
    expect(left.map((m) => m.content).join('\n')).not.toContain('shellfish');
  });

  it('erasing an end user deletes their chat messages', async () => {
    expect((await call(users.DELETE, 'DELETE', '/api/v1/users/chatter', { token: alice.apiKey, params: { external_user_id: 'chatter' } })).body.deleted.chat_messages).toBe(2);
    expect(await messagesOf('chatter')).toEqual([]);
  });
});

describe("an erased end user's id does not outlive the erasure", () => {
  it('in the request log (the erase request itself, and rows logged before)', async () => {
    const user = 'erase-me@example.com';
    await call(memory.POST, 'POST', '/api/v1/memory', { token: alice.apiKey, body: { content: 'I play chess on Tuesdays', external_user_id: user } });
    await alice.app.services.db.query("insert into request_log (account_id, request_id, method, path, status, duration_ms) values ($1, 'old', 'DELETE', $2, 404, 3)", [
      alice.accountId,
      `/api/v1/users/${encodeURIComponent(user)}`,
    ]);
    const erased = await call(users.DELETE, 'DELETE', `/api/v1/users/${encodeURIComponent(user)}`, { token: alice.apiKey, params: { external_user_id: user } });
    expect(erased.status).toBe(200);
    const paths = (await alice.app.services.db.query<{ path: string }>('select path from request_log where account_id = $1', [alice.accountId])).map((row) => row.path);
    expect(paths.filter((path) => path.includes('/v1/users/')).length).toBeGreaterThanOrEqual(2);
    expect([...new Set(paths.filter((path) => path.includes('/v1/users/')))]).toEqual(['/api/v1/users/{external_user_id}']);
    expect(paths.join('\n')).not.toContain('erase-me');
  });

  it('in maintenance runs made for that end user', async () => {
    const user = 'runs-user-to-erase';
    await call(memory.POST, 'POST', '/api/v1/memory', { token: alice.apiKey, body: { content: 'I run every morning before work', external_user_id: user } });
    const run = await call(job.POST, 'POST', '/api/v1/memory/maintenance/all', { token: alice.apiKey, params: { job_type: 'all' }, query: { external_user_id: user } });
    expect(run.body.run.params).toMatchObject({ external_user_id: user, prune: { external_user_id: user } });
    const other = await call(job.POST, 'POST', '/api/v1/memory/maintenance/pruning', { token: alice.apiKey, params: { job_type: 'pruning' }, query: { external_user_id: 'someone-else' } });
    expect((await call(users.DELETE, 'DELETE', `/api/v1/users/${user}`, { token: alice.apiKey, params: { external_user_id: user } })).status).toBe(200);
    const rows = await alice.app.services.db.query<{ id: string; params: Record<string, unknown>; counts: unknown }>('select id, params, counts from maintenance_runs where account_id = $1', [alice.accountId]);
    expect(JSON.stringify(rows)).not.toContain(user);
    expect(rows.find((row) => row.id === run.body.run.id)!.params).toMatchObject({ external_user_id: '(erased)', prune: { external_user_id: '(erased)' } });
    expect(rows.find((row) => row.id === other.body.run.id)!.params).toMatchObject({ external_user_id: 'someone-else' });
  });
});

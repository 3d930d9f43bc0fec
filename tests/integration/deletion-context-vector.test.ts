import { describe, expect, it } from 'vitest';
import * as ingest from '@/app/api/v1/ingest/route';
import * as memoryById from '@/app/api/v1/memory/[memory_id]/route';
import * as memory from '@/app/api/v1/memory/route';
import { withAccount } from '@/tests/helpers/fixtures';
import { call } from '@/tests/helpers/http';

// A memory of a conversation is ranked by a context vector blended from its own embedding and its predecessor's (an
// ingested turn's previous fact, a stored memory's previous memory of the session). Once the predecessor is deleted,
// its embedding must not keep shaping how its neighbours rank: the neighbours whose context held the deleted text
// lose their context vector with it (they rank by their own embedding, as a memory without a predecessor does).

const tenant = withAccount();

const vectorsOf = async (user: string) =>
  tenant.app.services.db.query<{ content: string; context: string | null; has_context_vector: boolean }>(
    'select content, context, context_embedding is not null as has_context_vector from memories where account_id = $1 and end_user_id = $2 order by created_at, content',
    [tenant.accountId, user],
  );
const remove = (id: string) => call(memoryById.DELETE, 'DELETE', `/api/v1/memory/${id}`, { token: tenant.apiKey, params: { memory_id: id } });
const store = async (user: string, content: string, session: string) => {
  const res = await call(memory.POST, 'POST', '/api/v1/memory', { token: tenant.apiKey, body: { content, external_user_id: user, metadata: { session_id: session } } });
  expect(res.status).toBe(201);
  return res.body.memory.id as string;
};

describe("a deleted memory's embedding leaves its neighbours' context vectors", () => {
  it('POST /v1/memory in a session: the next memory loses the vector blended with the deleted one', async () => {
    const first = await store('stored', 'I was treated for depression last year', 's1');
    await store('stored', 'I started running every morning since then', 's1');
    await store('stored', 'My favourite tea is oolong', 'other-session');
    await store('stored', 'I drink it every afternoon', 'other-session');
    expect((await vectorsOf('stored')).map((row) => row.has_context_vector)).toEqual([false, true, false, true]);

    expect((await remove(first)).status).toBe(200);
    const after = await vectorsOf('stored');
    expect(after.map((row) => row.content)).toEqual(['I started running every morning since then', 'My favourite tea is oolong', 'I drink it every afternoon']);
    // The deleted memory's neighbour lost it; the other session's memory keeps its own.
    expect(after.map((row) => row.has_context_vector)).toEqual([false, false, true]);
  });

  it('POST /v1/ingest: the fact after a deleted one loses the vector blended with it', async () => {
    const res = await call(ingest.POST, 'POST', '/api/v1/ingest', {
      token: tenant.apiKey,
      body: {
        userId: 'ingested',
        conversationId: 'c1',
        messages: [
          { role: 'user', content: 'I work at Siemens as an engineer' },
          { role: 'user', content: 'I was treated for depression at the Charité clinic' },
          { role: 'user', content: 'I play the cello on weekends' },
        ],
      },
    });
    expect(res.status).toBe(200);
    // The turns of one ingest share its time: by content, the cello (after the secret), the secret, Siemens (first).
    const before = await vectorsOf('ingested');
    expect(before.map((row) => [row.content.slice(0, 12), row.has_context_vector])).toEqual([
      ['I play the c', true],
      ['I was treate', true],
      ['I work at Si', false],
    ]);
    const secret = (res.body.memories as { id: string; content: string }[]).find((m) => m.content.includes('Charité'))!;

    expect((await remove(secret.id)).status).toBe(200);
    const after = await vectorsOf('ingested');
    expect(after.map((row) => [row.content.slice(0, 12), row.has_context_vector])).toEqual([
      ['I play the c', false],
      ['I work at Si', false],
    ]);
  });
});

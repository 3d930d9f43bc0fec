import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as exportRoute from '@/app/api/v1/export/route';
import * as importRoute from '@/app/api/v1/import/route';
import * as ingest from '@/app/api/v1/ingest/route';
import * as keys from '@/app/api/v1/keys/route';
import * as users from '@/app/api/v1/users/[external_user_id]/route';
import { withAccount } from '@/tests/helpers/fixtures';
import { call } from '@/tests/helpers/http';

// Finding 13 (d) of the adversarial review: the export omitted chat messages, entities and edges, so an export was
// neither complete (data portability) nor a backup of what ingest and chat build.

const alice = withAccount();

const exportJsonl = async (token: string, user: string) => (await call(exportRoute.GET, 'GET', '/api/v1/export', { token, query: { external_user_id: user } })).text;
const importJsonl = (token: string, text: string) => call(importRoute.POST, 'POST', '/api/v1/import', { token, rawBody: text, headers: { 'content-type': 'application/x-ndjson' } });
const parse = (text: string) => text.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown> & { type?: string; id: string });
const countOf = async (table: 'entities' | 'edges' | 'chat_messages', user: string) =>
  (await alice.app.services.db.query<{ n: number }>(`select count(*)::int as n from ${table} where account_id = $1 and end_user_id = $2`, [alice.accountId, user]))[0]!.n;
const linksOf = async (user: string) =>
  (
    await alice.app.services.db.query<{ n: number }>(
      'select count(*)::int as n from memory_entities me join memories m on m.id = me.memory_id where m.account_id = $1 and m.end_user_id = $2',
      [alice.accountId, user],
    )
  )[0]!.n;

describe('export and import carry chat messages, entities and edges', () => {
  it('exports them as typed lines after the memory lines, and an erased end user comes back whole from the file', async () => {
    const user = 'porter@example.com';
    const res = await call(ingest.POST, 'POST', '/api/v1/ingest', {
      token: alice.apiKey,
      body: {
        userId: user,
        conversationId: 'trip',
        messages: [
          { role: 'user', content: 'I work at Siemens in Munich.' },
          { role: 'assistant', content: 'Nice, how long have you been there?' },
          { role: 'user', content: 'My sister Anna lives in Berlin.' },
        ],
      },
    });
    expect(res.status).toBe(200);
    const counts = { entities: await countOf('entities', user), edges: await countOf('edges', user), chat_messages: await countOf('chat_messages', user), links: await linksOf(user) };
    expect(counts.entities).toBeGreaterThan(0);
    expect(counts.edges).toBeGreaterThan(0);
    expect(counts.chat_messages).toBe(3);

    const original = await exportJsonl(alice.apiKey, user);
    const lines = parse(original);
    const types = lines.map((line) => line.type ?? 'memory');
    // Memory lines first and unchanged (no `type`, as older exports), then entities, edges, chat messages.
    expect(types).toEqual([...types].sort((a, b) => ['memory', 'entity', 'edge', 'chat_message'].indexOf(a) - ['memory', 'entity', 'edge', 'chat_message'].indexOf(b)));
    expect(types.filter((type) => type === 'entity')).toHaveLength(counts.entities);
    expect(types.filter((type) => type === 'edge')).toHaveLength(counts.edges);
    expect(lines.filter((line) => line.type === 'chat_message').map((line) => [line.role, line.content, line.conversation_id])).toEqual([
      ['user', 'I work at Siemens in Munich.', 'trip'],
      ['assistant', 'Nice, how long have you been there?', 'trip'],
      ['user', 'My sister Anna lives in Berlin.', 'trip'],
    ]);
    const siemens = lines.find((line) => line.type === 'entity' && String(line.name).toLowerCase() === 'siemens');
    expect(siemens?.memory_ids).toHaveLength(1);

    const erased = await call(users.DELETE, 'DELETE', `/api/v1/users/${user}`, { token: alice.apiKey, params: { external_user_id: user } });
    expect(erased.status).toBe(200);
    expect(await countOf('chat_messages', user)).toBe(0);

    const imported = await importJsonl(alice.apiKey, original);
    expect(imported.status).toBe(200);
    expect(imported.body).toMatchObject({ lines: lines.length, entities: counts.entities, edges: counts.edges, chat_messages: 3 });
    expect({ entities: await countOf('entities', user), edges: await countOf('edges', user), chat_messages: await countOf('chat_messages', user), links: await linksOf(user) }).toEqual(counts);
    expect(await exportJsonl(alice.apiKey, user)).toBe(original);
    // Importing the same file again writes nothing twice.
    expect((await importJsonl(alice.apiKey, original)).body).toMatchObject({ imported: 0, entities: 0, edges: 0, chat_messages: 0 });
  });

  it("an agent-scoped key exports its agent's chat messages only, and may not import another agent's", async () => {
    const user = 'two-agents';
    const key = async (agent: string) => (await call(keys.POST, 'POST', '/api/v1/keys', { token: alice.accessToken, body: { name: agent, agent_id: agent } })).body.api_key as string;
    const [support, sales] = [await key('support'), await key('sales')];
    await call(ingest.POST, 'POST', '/api/v1/ingest', { token: support, body: { userId: user, conversationId: 's', messages: [{ role: 'user', content: 'My printer jams every morning.' }] } });
    await call(ingest.POST, 'POST', '/api/v1/ingest', { token: sales, body: { userId: user, conversationId: 'b', messages: [{ role: 'user', content: 'I want the enterprise plan for my team.' }] } });

    const chat = parse(await exportJsonl(support, user)).filter((line) => line.type === 'chat_message');
    expect(chat.map((line) => line.content)).toEqual(['My printer jams every morning.']);

    const foreign = { type: 'chat_message', id: randomUUID(), external_user_id: user, agent_id: 'sales', conversation_id: 'x', role: 'user', content: 'planted' };
    expect((await importJsonl(support, JSON.stringify(foreign))).status).toBe(403);
  });

  it('refuses a bad typed line with 422 pointing at it, and writes nothing', async () => {
    const good = { type: 'chat_message', id: randomUUID(), external_user_id: 'bad-lines', conversation_id: 'c', role: 'user', content: 'hello' };
    const bad = { type: 'edge', id: randomUUID(), external_user_id: 'bad-lines', source_entity_id: 'not-a-uuid', target_entity_id: randomUUID(), relation: 'knows' };
    const res = await importJsonl(alice.apiKey, [JSON.stringify(good), JSON.stringify(bad)].join('\n'));
    expect(res.status).toBe(422);
    expect(res.body.details[0].loc).toEqual(['body', 2, 'source_entity_id']);
    expect(await countOf('chat_messages', 'bad-lines')).toBe(0);
  });
});

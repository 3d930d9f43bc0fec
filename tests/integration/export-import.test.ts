import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as exportRoute from '@/app/api/v1/export/route';
import * as importRoute from '@/app/api/v1/import/route';
import * as ingest from '@/app/api/v1/ingest/route';
import * as memory from '@/app/api/v1/memory/route';
import * as users from '@/app/api/v1/users/[external_user_id]/route';
import { createAccount, type TestAccount } from '@/tests/helpers/accounts';
import { call } from '@/tests/helpers/http';
import { startTestApp, type TestApp } from '@/tests/helpers/services';

let app: TestApp;
let alice: TestAccount;
let bob: TestAccount;
beforeAll(async () => {
  app = await startTestApp();
  alice = await createAccount();
  bob = await createAccount();
});
afterAll(() => app.stop());

const exportJsonl = async (account: TestAccount, user?: string) => (await call(exportRoute.GET, 'GET', '/api/v1/export', { token: account.apiKey, query: user ? { external_user_id: user } : {} })).text;
const importJsonl = (account: TestAccount, text: string) => call(importRoute.POST, 'POST', '/api/v1/import', { token: account.apiKey, rawBody: text, headers: { 'content-type': 'application/x-ndjson' } });

describe('export and import', () => {
  it('round-trips one end user exactly: ids, metadata, timestamps, history and embeddings', async () => {
    await call(memory.POST, 'POST', '/api/v1/memory', { token: alice.apiKey, body: { content: 'Zoë likes 🍵 and "quotes"', external_user_id: 'owner@example.com', metadata: { tags: ['a', 1], nested: { ok: true } } } });
    await call(ingest.POST, 'POST', '/api/v1/ingest', { token: alice.apiKey, body: { userId: 'owner@example.com', messages: [{ role: 'user', content: 'I live in London.' }] } });
    await call(ingest.POST, 'POST', '/api/v1/ingest', { token: alice.apiKey, body: { userId: 'owner@example.com', messages: [{ role: 'user', content: 'I just moved to Bristol.' }] } });
    const original = await exportJsonl(alice, 'owner@example.com');
    // Memory lines (entities, edges and chat messages follow, each with its `type`).
    const lines = original.trim().split('\n').map((line) => JSON.parse(line)).filter((line) => !line.type);
    expect(lines).toHaveLength(3);
    expect(lines.some((line) => line.superseded_by)).toBe(true);
    expect(lines[0].embedding).toHaveLength(512);

    const erased = await call(users.DELETE, 'DELETE', '/api/v1/users/owner@example.com', { token: alice.apiKey, params: { external_user_id: 'owner@example.com' } });
    expect(erased.body.deleted.memories).toBe(3);
    const res = await importJsonl(alice, original);
    expect(res.body).toMatchObject({ status: 'success', lines: original.trim().split('\n').length, imported: 3, skipped: 0, reembedded: 0 });
    expect(await exportJsonl(alice, 'owner@example.com')).toBe(original);
    expect((await importJsonl(alice, original)).body).toMatchObject({ imported: 0, skipped: 3 });
  });

  it('carries the context vectors hybrid search ranks ingested turns by, and drops them when re-embedding', async () => {
    const messages = [
      { role: 'user', name: 'Ana', content: 'We adopted a beagle puppy last week.' },
      { role: 'user', name: 'Ben', content: 'Her name is Pepper and she loves the beach.' },
    ];
    await call(ingest.POST, 'POST', '/api/v1/ingest', { token: alice.apiKey, body: { userId: 'ctx@example.com', messages } });
    const original = await exportJsonl(alice, 'ctx@example.com');
    const lines = original.trim().split('\n').map((line) => JSON.parse(line)).filter((line) => !line.type);
    expect(lines.map((line) => line.context_embedding?.length ?? null).sort()).toEqual([512, null]);

    await call(users.DELETE, 'DELETE', '/api/v1/users/ctx@example.com', { token: alice.apiKey, params: { external_user_id: 'ctx@example.com' } });
    expect((await importJsonl(alice, original)).body).toMatchObject({ imported: 2, reembedded: 0 });
    expect(await exportJsonl(alice, 'ctx@example.com')).toBe(original);

    // Another model's vectors: the memory is re-embedded and its context vector dropped, not mixed in.
    const foreign = lines.map((line) => JSON.stringify({ ...line, id: line.id.replace(/^.{8}/, '33333333'), embedding_model: 'openai:text-embedding-3-small@1536' }));
    expect((await importJsonl(alice, foreign.join('\n'))).body).toMatchObject({ imported: 2, reembedded: 2 });
    const [kept] = await app.services.db.query<{ n: number }>(
      "select count(context_embedding)::int as n from memories where end_user_id = 'ctx@example.com' and id::text like '33333333%'",
    );
    expect(kept!.n).toBe(0);
  });

  it("never takes over another account's ids, and exports only the caller's rows", async () => {
    const alices = await exportJsonl(alice);
    expect(await exportJsonl(bob)).toBe('');
    const res = await importJsonl(bob, alices);
    // Alice's ids are neither taken over nor skipped (a skip would tell Bob they exist): his copies get ids of their own.
    const idsOf = (text: string) => text.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { id: string }).id);
    const aliceMemoryIds = alices.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { id: string; type?: string }).filter((line) => !line.type).map((line) => line.id);
    expect(res.body).toMatchObject({ imported: aliceMemoryIds.length, skipped: 0 });
    expect(Object.keys(res.body.remapped_ids)).toEqual(expect.arrayContaining(aliceMemoryIds));
    expect(idsOf(await exportJsonl(bob)).filter((id) => idsOf(alices).includes(id))).toEqual([]);
    expect(await exportJsonl(alice)).toBe(alices);
  });

  it('re-embeds lines made with another model, and refuses a bad line with nothing written', async () => {
    const line = { id: '11111111-1111-4111-8111-111111111111', external_user_id: 'imported@example.com', content: 'Imported from another system', embedding_model: 'openai:text-embedding-3-small@1536', embedding: [0.1, 0.2] };
    expect((await importJsonl(bob, JSON.stringify(line))).body).toMatchObject({ imported: 1, reembedded: 1 });
    const bad = await importJsonl(bob, `${JSON.stringify({ ...line, id: '22222222-2222-4222-8222-222222222222' })}\n{"id": "not-a-uuid", "content": "x"}`);
    expect(bad.status).toBe(422);
    expect(bad.body.details[0].loc.slice(0, 2)).toEqual(['body', 2]);
    const rows = await app.services.db.query("select id from memories where id = '22222222-2222-4222-8222-222222222222'");
    expect(rows).toHaveLength(0);
  });
});

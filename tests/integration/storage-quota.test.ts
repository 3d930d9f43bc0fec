import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as overview from '@/app/api/dashboard/overview/route';
import * as chatRoute from '@/app/api/v1/chat/route';
import * as importRoute from '@/app/api/v1/import/route';
import * as ingestRoute from '@/app/api/v1/ingest/route';
import * as memoryById from '@/app/api/v1/memory/[memory_id]/route';
import * as restoreRoute from '@/app/api/v1/memory/[memory_id]/restore/route';
import * as prune from '@/app/api/v1/memory/prune/route';
import * as memory from '@/app/api/v1/memory/route';
import * as stats from '@/app/api/v1/memory/stats/route';
import * as status from '@/app/api/v1/status/route';
import * as endUsers from '@/app/api/v1/users/[external_user_id]/route';
import { PLANS } from '@/lib/billing/plans';
import { migrate, readMigrations } from '@/lib/db/migrate';
import { createPgliteDb } from '@/lib/db/pglite';
import { accountIdOf, createAccount, type TestAccount } from '@/tests/helpers/accounts';
import { call } from '@/tests/helpers/http';
import { startTestApp, type TestApp } from '@/tests/helpers/services';

// Finding 4 of the adversarial review: chat_messages, archived and superseded memories took no quota, and the plan's
// storageLimitMb was reported but never enforced. accounts.storage_bytes (migration 0020) counts every memory row and
// chat message; writes that would pass the plan's storage get the memory limit's 429, and leave nothing behind.

const FREE_LIMIT_BYTES = PLANS.free.storageLimitMb! * 1_048_576;
const STORAGE_DETAIL = /^Storage limit exceeded: [\d.,]+ MB of the plan's 100 MB are used and this write needs [\d,]+ bytes more\. /;

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

interface Tenant {
  account: TestAccount;
  id: string;
}
const newTenant = async (): Promise<Tenant> => {
  const account = await createAccount();
  return { account, id: await accountIdOf(app.services.db, account) };
};

/** The counter, what the rows add up to, and how many rows there are. */
async function storageOf(tenant: Tenant) {
  const [row] = await app.services.db.query<{ counted: number; recomputed: number; memory_count: number; memories: number; messages: number }>(
    `select storage_bytes::float8 as counted, account_storage_bytes(id)::float8 as recomputed, memory_count,
            (select count(*) from memories where account_id = $1)::int as memories,
            (select count(*) from chat_messages where account_id = $1)::int as messages
     from accounts where id = $1`,
    [tenant.id],
  );
  return row!;
}
/** Leaves `room` bytes of the free plan's storage: the counter stands for rows a real account would have written. */
const leaveRoom = (tenant: Tenant, room: number) => app.services.db.query('update accounts set storage_bytes = $2 where id = $1', [tenant.id, FREE_LIMIT_BYTES - room]);
/** What one memory row of this text takes (no metadata, no context). */
const rowBytes = async (content: string) => Number((await app.services.db.query<{ n: number }>("select memory_storage_bytes($1, '{}'::jsonb, null)::float8 as n", [content]))[0]!.n);

const store = (tenant: Tenant, content: string, extra: Record<string, unknown> = {}) =>
  call(memory.POST, 'POST', '/api/v1/memory', { token: tenant.account.apiKey, body: { content, external_user_id: 'storage-user', ...extra } });
const ingest = (tenant: Tenant, messages: { role: string; content: string }[], extra: Record<string, unknown> = {}) =>
  call(ingestRoute.POST, 'POST', '/api/v1/ingest', { token: tenant.account.apiKey, body: { userId: 'storage-user', messages, ...extra } });
const chat = (tenant: Tenant, message: string, conversationId: string) =>
  call(chatRoute.POST, 'POST', '/api/v1/chat', { token: tenant.account.apiKey, body: { message, external_user_id: 'storage-user', conversation_id: conversationId } });
const importLines = (tenant: Tenant, lines: Record<string, unknown>[]) =>
  call(importRoute.POST, 'POST', '/api/v1/import', { token: tenant.account.apiKey, rawBody: lines.map((line) => JSON.stringify(line)).join('\n'), headers: { 'content-type': 'application/x-ndjson' } });
const archiveAll = (tenant: Tenant, user = 'storage-user') =>
  call(prune.POST, 'POST', '/api/v1/memory/prune', { token: tenant.account.apiKey, query: { external_user_id: user, min_importance: '1' } });

function expectStorageRefusal(res: { status: number; body: { detail: string }; headers: Headers }) {
  expect(res.status).toBe(429);
  expect(res.body.detail).toMatch(STORAGE_DETAIL);
  expect(res.headers.get('x-quota-exceeded')).toBe('storage');
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
}

describe('the storage counter', () => {
  it('the migration backfills accounts that already have rows', async () => {
    const db = await createPgliteDb();
    try {
      await migrate(db, readMigrations().filter((migration) => migration.version < '0020'));
      const [account] = await db.query<{ id: string }>("insert into accounts (name) values ('before 0020') returning id");
      await db.query(
        `insert into memories (account_id, end_user_id, content, context, metadata) values ($1, 'u', 'I live in Berlin', 'the turn before', '{"tag": "x"}'),
                ($1, 'u', 'An archived memory', null, '{}')`,
        [account!.id],
      );
      await db.query("update memories set archived_at = now() where content = 'An archived memory'");
      await db.query("insert into chat_messages (account_id, end_user_id, conversation_id, role, content) values ($1, 'u', 'c', 'user', 'hello there')", [account!.id]);
      await migrate(db);
      const [row] = await db.query<{ counted: number; recomputed: number }>(
        'select storage_bytes::float8 as counted, account_storage_bytes(id)::float8 as recomputed from accounts where id = $1',
        [account!.id],
      );
      // Two memory rows (6 KiB each besides their text) and one chat message.
      expect(row!.counted).toBe(row!.recomputed);
      expect(row!.counted).toBeGreaterThan(2 * 6_144 + 'hello there'.length);
    } finally {
      await db.close();
    }
  });

  it('equals a recomputation from the rows after every kind of write, update, archive and deletion (seeded random walk)', async () => {
    const tenant = await newTenant();
    let seed = 20_261_201;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const pick = <T,>(items: T[]): T => items[Math.floor(random() * items.length)]!;
    const users = ['walk-a', 'walk-b'];
    const memoryIds = async (where = 'true') =>
      (await app.services.db.query<{ id: string }>(`select id from memories where account_id = $1 and ${where} order by id`, [tenant.id])).map((row) => row.id);
    const steps: Record<string, () => Promise<unknown>> = {
      store: () => call(memory.POST, 'POST', '/api/v1/memory', {
        token: tenant.account.apiKey,
        body: { content: `I keep note ${Math.floor(random() * 1e6)} about sailing ${'é'.repeat(Math.floor(random() * 40))}`, external_user_id: pick(users), metadata: { session_id: pick(['s1', 's2']), n: random() } },
      }),
      ingest: () => call(ingestRoute.POST, 'POST', '/api/v1/ingest', {
        token: tenant.account.apiKey,
        body: {
          userId: pick(users),
          conversationId: pick(['c1', 'c2']),
          messages: [
            { role: 'user', content: `I live in ${pick(['Berlin', 'Paris', 'Lisbon'])} and I work at ${pick(['Siemens', 'Bosch'])} as an engineer` },
            { role: 'assistant', content: 'Noted, thanks for telling me.' },
            { role: 'user', content: `I love ${pick(['hiking', 'chess', 'baking'])} on weekends ${Math.floor(random() * 1e6)}` },
          ],
        },
      }),
      chat: () => call(chatRoute.POST, 'POST', '/api/v1/chat', {
        token: tenant.account.apiKey,
        body: { message: `I am training for a marathon number ${Math.floor(random() * 1e6)}`, external_user_id: pick(users), conversation_id: 'chat-1' },
      }),
      archive: () => archiveAll(tenant, pick(users)),
      restore: async () => {
        const archived = await memoryIds('archived_at is not null');
        if (archived.length) await call(restoreRoute.POST, 'POST', `/api/v1/memory/${archived[0]}/restore`, { token: tenant.account.apiKey, params: { memory_id: archived[0]! } });
      },
      delete: async () => {
        const ids = await memoryIds();
        const id = ids.length ? pick(ids) : undefined;
        if (id) await call(memoryById.DELETE, 'DELETE', `/api/v1/memory/${id}`, { token: tenant.account.apiKey, params: { memory_id: id } });
      },
      hardPrune: () => call(prune.POST, 'POST', '/api/v1/memory/prune', { token: tenant.account.apiKey, query: { external_user_id: pick(users), min_importance: '1', archive_only: 'false' } }),
      import: () => {
        const [older, current] = [randomUUID(), randomUUID()];
        return importLines(tenant, [
          { id: older, external_user_id: pick(users), content: 'I lived in Rome', context: 'before\nafter', superseded_by: current },
          { id: current, external_user_id: pick(users), content: 'I moved to Oslo', metadata: { k: 'v' } },
          { id: randomUUID(), external_user_id: pick(users), content: 'An old archived note', archived_at: '2025-01-01T00:00:00.000Z' },
          { type: 'chat_message', id: randomUUID(), external_user_id: pick(users), conversation_id: 'imported', role: 'user', content: `imported turn ${random()}` },
        ]);
      },
      sqlEdit: async () => {
        const ids = await memoryIds();
        if (ids.length) {
          await app.services.db.query(
            "update memories set content = content || ' (edited)', metadata = metadata || '{\"edited\": true}'::jsonb, context = case when context is null then 'now with context' else null end where id = $1",
            [pick(ids)],
          );
        }
      },
      sqlDeleteMessage: () => app.services.db.query('delete from chat_messages where id = (select id from chat_messages where account_id = $1 order by id limit 1)', [tenant.id]),
      erase: () => call(endUsers.DELETE, 'DELETE', `/api/v1/users/${users[1]}`, { token: tenant.account.apiKey, params: { external_user_id: users[1]! } }),
    };
    const names = Object.keys(steps);
    const seen = new Set<string>();
    for (let i = 0; i < 36; i++) {
      // Every kind of step once in the first rounds, then at random.
      const name = i < names.length ? names[i]! : pick(names);
      const result = await steps[name]!();
      // A step that was refused or failed would leave the counter trivially equal.
      if (result && typeof result === 'object' && 'status' in result) expect(result.status, `step ${i} (${name})`).toBeLessThan(300);
      seen.add(name);
      const storage = await storageOf(tenant);
      expect(storage.counted, `after step ${i} (${name})`).toBe(storage.recomputed);
    }
    expect(seen.size).toBe(names.length);
    const final = await storageOf(tenant);
    expect(final.memories + final.messages).toBeGreaterThan(0);
    expect(final.counted).toBeGreaterThan(0);
  });
});

describe('writes that would pass the plan’s storage are refused whole (429), like the memory limit', () => {
  it('ingest: its chat messages count, and a refused ingest stores neither turns nor memories', async () => {
    const tenant = await newTenant();
    const messages = [
      { role: 'user', content: `I am planning a long trip to Japan next spring ${'and more details '.repeat(30)}` },
      { role: 'assistant', content: `That sounds wonderful ${'tell me more '.repeat(40)}` },
    ];
    await leaveRoom(tenant, 1_000);
    const before = await storageOf(tenant);
    const refused = await ingest(tenant, messages);
    expectStorageRefusal(refused);
    expect(await storageOf(tenant)).toEqual(before);

    // Room for the turns but not for the memory made from them: still nothing at all.
    const turnBytes = messages.reduce((sum, message) => sum + Buffer.byteLength(message.content) + 256, 0);
    await leaveRoom(tenant, turnBytes + 100);
    const second = await storageOf(tenant);
    expectStorageRefusal(await ingest(tenant, messages));
    expect(await storageOf(tenant)).toEqual(second);

    await leaveRoom(tenant, 1_048_576);
    const fits = await storageOf(tenant);
    const accepted = await ingest(tenant, messages);
    expect(accepted.status).toBe(200);
    const after = await storageOf(tenant);
    expect(after.messages - fits.messages).toBe(2);
    expect(after.counted - fits.counted).toBe(after.recomputed - fits.recomputed);
  });

  it('ingest of many large messages (the 1 MiB request) cannot exceed the plan', async () => {
    const tenant = await newTenant();
    const messages = Array.from({ length: 31 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `turn ${i} ${'i like x '.repeat(3_500)}` }));
    await leaveRoom(tenant, 500_000);
    const before = await storageOf(tenant);
    expectStorageRefusal(await ingest(tenant, messages));
    expect(await storageOf(tenant)).toEqual(before);
  });

  it('import: memories (archived and superseded too) and chat message lines; nothing written when refused', async () => {
    const tenant = await newTenant();
    const [older, current] = [randomUUID(), randomUUID()];
    const memoryLines = [
      { id: older, external_user_id: 'storage-user', content: 'I lived in Rome', superseded_by: current },
      { id: current, external_user_id: 'storage-user', content: 'I moved to Oslo' },
      { id: randomUUID(), external_user_id: 'storage-user', content: 'An archived note', archived_at: '2025-01-01T00:00:00.000Z' },
    ];
    await leaveRoom(tenant, 3 * 6_144);
    const before = await storageOf(tenant);
    expectStorageRefusal(await importLines(tenant, memoryLines));
    expect(await storageOf(tenant)).toEqual(before);

    const chatLines = Array.from({ length: 20 }, (_, i) => ({
      type: 'chat_message', id: randomUUID(), external_user_id: 'storage-user', conversation_id: 'imported', role: 'user', content: `${i} ${'y'.repeat(600)}`,
    }));
    await leaveRoom(tenant, 10_000);
    const second = await storageOf(tenant);
    expectStorageRefusal(await importLines(tenant, chatLines));
    expect(await storageOf(tenant)).toEqual(second);

    await leaveRoom(tenant, 1_048_576);
    const accepted = await importLines(tenant, [...memoryLines, ...chatLines]);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ imported: 3, chat_messages: 20 });
    // Re-importing the same export into a full account writes nothing, so it is not refused.
    await leaveRoom(tenant, 0);
    const again = await importLines(tenant, [...memoryLines, ...chatLines]);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ imported: 0, skipped: 3, chat_messages: 0 });
  });

  it('chat: a turn that does not fit is not stored at all (memory_created false, no thread rows), the reply still goes out', async () => {
    const tenant = await newTenant();
    await leaveRoom(tenant, 200);
    const before = await storageOf(tenant);
    const full = await chat(tenant, 'I am training for a marathon in April', 'full-thread');
    expect(full.status).toBe(200);
    expect(full.body.memory_created).toBe(false);
    expect(full.body.reply.length).toBeGreaterThan(0);
    expect(await storageOf(tenant)).toEqual(before);

    await leaveRoom(tenant, 1_048_576);
    const roomy = await chat(tenant, 'I am training for a marathon in April', 'roomy-thread');
    expect(roomy.body.memory_created).toBe(true);
    const after = await storageOf(tenant);
    expect([after.memories, after.messages]).toEqual([before.memories + 1, before.messages + 2]);
  });

  it('POST /v1/memory: the detail gives the figures; racing stores for the last bytes: exactly as many as fit', async () => {
    const tenant = await newTenant();
    const contents = [1, 2, 3, 4, 5].map((n) => `Race memory number ${n}`);
    const size = await rowBytes(contents[0]!);
    await leaveRoom(tenant, Math.floor(2.5 * size));
    const results = await Promise.all(contents.map((content) => store(tenant, content)));
    expect(results.filter((res) => res.status === 201)).toHaveLength(2);
    for (const res of results.filter((res) => res.status !== 201)) expectStorageRefusal(res);
    const storage = await storageOf(tenant);
    expect(storage.memories).toBe(2);
    expect(storage.counted).toBeLessThanOrEqual(FREE_LIMIT_BYTES);
  });
});

describe('archived and superseded memories keep taking storage', () => {
  it('archiving frees a memory slot but not its bytes: a write that fits only if it did is refused', async () => {
    const tenant = await newTenant();
    const [first, second] = ['I collect vintage postcards from Lisbon', 'I collect vintage stamps from Madrid'];
    await leaveRoom(tenant, (await rowBytes(first)) + (await rowBytes(second)) - 1);
    expect((await store(tenant, first)).status).toBe(201);
    const stored = await storageOf(tenant);
    expect((await archiveAll(tenant)).body.pruned_count).toBe(1);
    const archived = await storageOf(tenant);
    expect(archived.memory_count).toBe(stored.memory_count - 1);
    expect(archived.counted).toBe(stored.counted);
    expectStorageRefusal(await store(tenant, second));
    expect((await storageOf(tenant)).memories).toBe(1);
  });

  it('a superseded memory stays counted: superseding adds the new rows and takes nothing off', async () => {
    const tenant = await newTenant();
    expect((await ingest(tenant, [{ role: 'user', content: 'I live in Berlin' }], { conversationId: 'first' })).status).toBe(200);
    const before = await storageOf(tenant);
    const moved = await ingest(tenant, [{ role: 'user', content: 'I moved to Paris last month' }], { conversationId: 'second' });
    expect(moved.body.memoriesSuperseded).toBe(1);
    const [added] = await app.services.db.query<{ bytes: number }>(
      `select ((select sum(chat_message_storage_bytes(content)) from chat_messages where account_id = $1 and conversation_id = 'second')
             + (select sum(memory_storage_bytes(content, metadata, context)) from memories where account_id = $1 and conversation_id = 'second'))::float8 as bytes`,
      [tenant.id],
    );
    const after = await storageOf(tenant);
    expect(after.memory_count).toBe(before.memory_count);
    expect(after.counted - before.counted).toBe(added!.bytes);

    await leaveRoom(tenant, 100);
    expectStorageRefusal(await ingest(tenant, [{ role: 'user', content: 'I moved to Rome this week' }], { conversationId: 'third' }));
  });
});

describe('storage is reported where usage is', () => {
  it('/v1/status, /v1/memory/stats and the dashboard overview give the counter and the plan’s limit', async () => {
    const tenant = await newTenant();
    expect((await store(tenant, 'A memory to measure')).status).toBe(201);
    await app.services.db.query('update accounts set storage_bytes = storage_bytes + $2 where id = $1', [tenant.id, 5 * 1_048_576]);
    const counted = (await storageOf(tenant)).counted;
    const mb = Math.round((counted / 1_048_576) * 100) / 100;
    const statusRes = await call(status.GET, 'GET', '/api/v1/status', { token: tenant.account.apiKey });
    expect(statusRes.body).toMatchObject({ storageUsedMb: mb, storageLimitMb: 100 });
    const statsRes = await call(stats.GET, 'GET', '/api/v1/memory/stats', { token: tenant.account.apiKey });
    expect(statsRes.body.usage.storage_used_mb).toBe(mb);
    expect(statsRes.body.plan.storage_limit_mb).toBe(100);
    const dashboard = await call(overview.GET, 'GET', '/api/dashboard/overview', { token: tenant.account.accessToken });
    expect(dashboard.body).toMatchObject({ usage: { storage_used_mb: mb }, plan: { storage_limit_mb: 100 } });
  });
});

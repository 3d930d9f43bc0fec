import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as memory from '@/app/api/v1/memory/route';
import * as dashboardSearch from '@/app/api/dashboard/memories/search/route';
import { refreshStatistics } from '@/lib/db/statistics';
import { createAccount, type TestAccount } from '@/tests/helpers/accounts';
import { call } from '@/tests/helpers/http';
import { startTestApp, type TestApp } from '@/tests/helpers/services';

let app: TestApp;
let alice: TestAccount;
let bob: TestAccount;
const ids: Record<string, string> = {};

async function store(account: TestAccount, user: string, content: string) {
  const res = await call(memory.POST, 'POST', '/api/v1/memory', { token: account.apiKey, body: { content, external_user_id: user } });
  ids[`${user}:${content}`] = res.body.memory.id;
  return res.body.memory.id as string;
}

const search = (account: TestAccount, body: Record<string, unknown>) =>
  call(dashboardSearch.POST, 'POST', '/api/dashboard/memories/search', { token: account.accessToken, body: { similarity_threshold: 0, limit: 20, ...body } });

beforeAll(async () => {
  app = await startTestApp();
  alice = await createAccount();
  bob = await createAccount();
  await store(alice, 'ann@example.com', 'Ann is training for the Berlin marathon');
  await store(alice, 'ann@example.com', 'Ann prefers oat milk in her coffee');
  await store(alice, 'ben@example.com', 'Ben runs half marathons every spring');
  await store(alice, 'ben@example.com', 'Ben keeps bees on his roof');
  const archived = await store(alice, 'ben@example.com', 'Ben ran the Boston marathon once');
  await app.services.db.query('update memories set archived_at = now() where id = $1', [archived]);
  await store(bob, 'ann@example.com', "Bob's customer is also training for a marathon");
});
afterAll(() => app.stop());

describe('account-wide search (dashboard)', () => {
  it('finds memories of every end user of the account through HNSW, and nothing of another account or archived', async () => {
    const res = await search(alice, { query: 'Who is training for a marathon?' });
    expect(res.status).toBe(200);
    expect(res.body.mode).toBe('hnsw');
    expect(res.headers.get('server-timing')).toMatch(/^embed;dur=[\d.]+, db;dur=[\d.]+;desc="\d+ queries", app;dur=[\d.]+, total;dur=[\d.]+$/);
    const users = new Set(res.body.results.map((r: { memory: { external_user_id: string } }) => r.memory.external_user_id));
    expect(users).toEqual(new Set(['ann@example.com', 'ben@example.com']));
    expect(res.body.results).toHaveLength(4);
    const contents = res.body.results.map((r: { memory: { content: string } }) => r.memory.content);
    expect(contents[0]).toMatch(/marathon/);
    expect(contents.join(' ')).not.toMatch(/Bob's customer|Boston/);
  });

  it('returns what the exact scan returns, in the same order', async () => {
    for (const query of ['marathon running', 'coffee preferences', 'beekeeping']) {
      const approximate = await search(alice, { query });
      const exact = await search(alice, { query, exact: true });
      expect(exact.body.mode).toBe('exact');
      expect(approximate.body.results.map((r: { memory: { id: string } }) => r.memory.id)).toEqual(exact.body.results.map((r: { memory: { id: string } }) => r.memory.id));
    }
  });

  it('honours limit and threshold, and stays inside one end user when external_user_id is given', async () => {
    const limited = await search(alice, { query: 'marathon', limit: 2 });
    expect(limited.body.results).toHaveLength(2);
    const strict = await search(alice, { query: 'marathon', similarity_threshold: 0.99 });
    expect(strict.body.results).toHaveLength(0);
    const one = await search(alice, { query: 'marathon', external_user_id: 'ben@example.com' });
    expect(one.body.results.every((r: { memory: { external_user_id: string } }) => r.memory.external_user_id === 'ben@example.com')).toBe(true);
    expect(one.body.results.length).toBeGreaterThan(0);
    expect((await search(alice, { query: 'marathon', exact: 'yes' })).status).toBe(422);
    expect((await call(dashboardSearch.POST, 'POST', '/api/dashboard/memories/search', { token: alice.apiKey, body: { query: 'marathon' } })).status).toBe(401);
  });

  it('the HNSW index serves the account-wide query plan', async () => {
    const vector = `[${Array.from({ length: 512 }, (_, i) => (i === 0 ? 1 : 0)).join(',')}]`;
    const [{ account_id: accountId }] = (await app.services.db.query<{ account_id: string }>('select account_id from memories where id = $1', [ids['ann@example.com:Ann is training for the Berlin marathon']!])) as [{ account_id: string }];
    const plan = await app.services.db.transaction(async (tx) => {
      // Six rows make any plan cheap; take the sequential scan off the table to see that the index matches.
      await tx.query("select set_config('enable_seqscan', 'off', true)");
      return tx.query<Record<string, string>>(
        `explain select id from memories m where m.account_id = $1 and vector_dims(m.embedding) = 512 order by m.embedding::vector(512) <=> $2::vector(512) limit 10`,
        [accountId, vector],
      );
    });
    expect(plan.map((row) => Object.values(row)[0]).join('\n')).toMatch(/memories_embedding_hnsw_512/);
  });

  it('with statistics refreshed (embedded mode has no autovacuum), the planner picks the index on its own', async () => {
    const [{ account_id: accountId }] = (await app.services.db.query<{ account_id: string }>('select account_id from memories where id = $1', [ids['ann@example.com:Ann is training for the Berlin marathon']!])) as [{ account_id: string }];
    await app.services.db.query(
      `insert into memories (account_id, end_user_id, content, embedding)
       select $1, 'bulk-' || (g % 50), 'bulk memory ' || g, (select array_agg(sin(g * i))::vector from generate_series(1, 512) i) from generate_series(1, 3000) g`,
      [accountId],
    );
    expect(await refreshStatistics(app.services.db)).toContain('memories');
    expect(await refreshStatistics(app.services.db)).not.toContain('memories');
    const vector = `[${Array.from({ length: 512 }, (_, i) => Math.cos(i)).join(',')}]`;
    const plan = await app.services.db.query<Record<string, string>>(
      `explain select id from memories m where m.account_id = $1 and m.archived_at is null and m.superseded_by is null and vector_dims(m.embedding) = 512
       order by m.embedding::vector(512) <=> $2::vector(512) limit 10`,
      [accountId, vector],
    );
    expect(plan.map((row) => Object.values(row)[0]).join('\n')).toMatch(/Index Scan using memories_embedding_hnsw_512/);
    const res = await search(alice, { query: 'bulk memory', limit: 10 });
    expect(res.body.results).toHaveLength(10);
  });
});

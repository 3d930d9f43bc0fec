import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as cron from '@/app/api/cron/maintenance/route';
import * as keys from '@/app/api/v1/keys/route';
import * as contextRoute from '@/app/api/v1/context/route';
import * as memory from '@/app/api/v1/memory/route';
import * as memoryById from '@/app/api/v1/memory/[memory_id]/route';
import * as restore from '@/app/api/v1/memory/[memory_id]/restore/route';
import * as job from '@/app/api/v1/memory/maintenance/[job_type]/route';
import * as runs from '@/app/api/v1/memory/maintenance/runs/route';
import * as prune from '@/app/api/v1/memory/prune/route';
import * as search from '@/app/api/v1/memory/search/route';
import * as summarize from '@/app/api/v1/memory/summarize/route';
import { accountIdOf, createAccount, type TestAccount } from '@/tests/helpers/accounts';
import { call } from '@/tests/helpers/http';
import { startTestApp, type TestApp } from '@/tests/helpers/services';

let app: TestApp;
let alice: TestAccount;
let bob: TestAccount;

beforeAll(async () => {
  app = await startTestApp({ env: { CRON_SECRET: 'cron-secret-123' } });
  alice = await createAccount();
  bob = await createAccount();
});
afterAll(() => app.stop());

const store = async (account: TestAccount, user: string, content: string) =>
  (await call(memory.POST, 'POST', '/api/v1/memory', { token: account.apiKey, body: { content, external_user_id: user } })).body.memory.id as string;
const runJob = (account: TestAccount, jobType: string, query: Record<string, string> = {}) =>
  call(job.POST, 'POST', `/api/v1/memory/maintenance/${jobType}`, { token: account.apiKey, params: { job_type: jobType }, query });
const snapshot = () => app.services.db.query('select * from memories order by id');
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);

describe('prune', () => {
  let stale: string;
  let unimportant: string;
  let fresh: string;
  beforeAll(async () => {
    stale = await store(alice, 'pruner', 'I used to collect stamps as a kid');
    unimportant = await store(alice, 'pruner', 'The weather was mild that afternoon');
    fresh = await store(alice, 'pruner', 'I am learning the cello this year');
    await app.services.db.query('update memories set created_at = $2, last_accessed_at = null where id = $1', [stale, daysAgo(200)]);
    await app.services.db.query('update memories set importance = 0.05, base_importance = 0.05 where id = $1', [unimportant]);
  });

  it('dry run reports exactly what would go and changes no row', async () => {
    const before = await snapshot();
    const res = await call(prune.POST, 'POST', '/api/v1/memory/prune', { token: alice.apiKey, query: { max_age_days: '90', min_importance: '0.1', dry_run: 'true', external_user_id: 'pruner' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'success', dry_run: true, pruned_count: 2, by_reason: { stale: 1, low_importance: 1 } });
    expect(res.body.memories.map((m: { id: string }) => m.id).sort()).toEqual([stale, unimportant].sort());
    expect(await snapshot()).toEqual(before);
  });

  it('archives: archived memories leave search and lists, stay listable with a filter, and can be restored', async () => {
    const res = await call(prune.POST, 'POST', '/api/v1/memory/prune', { token: alice.apiKey, query: { external_user_id: 'pruner' } });
    expect(res.body).toMatchObject({ dry_run: false, archive_only: true, pruned_count: 2 });
    const active = await call(memory.GET, 'GET', '/api/v1/memory', { token: alice.apiKey, query: { external_user_id: 'pruner' } });
    expect(active.body.memories.map((m: { id: string }) => m.id)).toEqual([fresh]);
    const found = await call(search.POST, 'POST', '/api/v1/memory/search', { token: alice.apiKey, body: { query: 'stamps as a kid', external_user_id: 'pruner', similarity_threshold: 0 } });
    expect(found.body.results.map((r: { memory: { id: string } }) => r.memory.id)).not.toContain(stale);
    const block = await call(contextRoute.POST, 'POST', '/api/v1/context', { token: alice.apiKey, body: { userId: 'pruner', messages: [{ role: 'user', content: 'stamps' }] } });
    expect(block.body.text).not.toContain('stamps');
    const archived = await call(memory.GET, 'GET', '/api/v1/memory', { token: alice.apiKey, query: { external_user_id: 'pruner', archived: 'true' } });
    expect(archived.body.memories.map((m: { id: string }) => m.id).sort()).toEqual([stale, unimportant].sort());
    const restored = await call(restore.POST, 'POST', `/api/v1/memory/${stale}/restore`, { token: alice.apiKey, params: { memory_id: stale } });
    expect(restored.status).toBe(200);
    const again = await call(memory.GET, 'GET', '/api/v1/memory', { token: alice.apiKey, query: { external_user_id: 'pruner' } });
    expect(again.body.total_count).toBe(2);
    expect((await call(restore.POST, 'POST', `/api/v1/memory/${stale}/restore`, { token: bob.apiKey, params: { memory_id: stale } })).status).toBe(404);
  });

  it('hard-deletes with archive_only=false, and max_memories keeps the newest per end user', async () => {
    for (let i = 0; i < 4; i++) await store(alice, 'capped', `Capped memory about topic number ${i}`);
    const res = await call(prune.POST, 'POST', '/api/v1/memory/prune', { token: alice.apiKey, query: { external_user_id: 'capped', max_memories: '2', archive_only: 'false' } });
    expect(res.body).toMatchObject({ pruned_count: 2, by_reason: { over_max_memories: 2 } });
    const rows = await app.services.db.query("select content from memories where end_user_id = 'capped' order by content");
    expect(rows.map((r: any) => r.content)).toEqual(['Capped memory about topic number 2', 'Capped memory about topic number 3']);
  });

  it.each([[{ max_age_days: '-1' }], [{ min_importance: '2' }], [{ dry_run: 'maybe' }], [{ max_memories: '0' }]])('rejects %o with 422', async (query) => {
    expect((await call(prune.POST, 'POST', '/api/v1/memory/prune', { token: alice.apiKey, query })).status).toBe(422);
  });
});

describe('summarization', () => {
  const hiking = ['I love hiking in the Alps.', 'I really love hiking in the Alps.', 'I love hiking in the Alps every summer.', 'I love hiking in the Swiss Alps.'];
  let ids: string[] = [];
  beforeAll(async () => {
    ids = [];
    for (const content of hiking) ids.push(await store(alice, 'hiker', content));
    await store(alice, 'hiker', 'My accountant files my taxes in April');
  });

  it('writes one summary per cluster linked to its sources; re-running does not duplicate', async () => {
    const first = await call(summarize.POST, 'POST', '/api/v1/memory/summarize', { token: alice.apiKey, query: { external_user_id: 'hiker' } });
    expect(first.status).toBe(200);
    expect(first.body.run).toMatchObject({ job_type: 'summarization', status: 'succeeded', counts: { summaries_created: 1 } });
    const summaries = await app.services.db.query<{ id: string; content: string }>("select id, content from memories where end_user_id = 'hiker' and source = 'summary'");
    expect(summaries).toHaveLength(1);
    expect(summaries[0]!.content).toMatch(/^Summary of 4 related memories: /);
    const sources = await app.services.db.query<{ source_id: string }>('select source_id from summary_sources where summary_id = $1', [summaries[0]!.id]);
    expect(sources.map((s) => s.source_id).sort()).toEqual([...ids].sort());
    const second = await call(summarize.POST, 'POST', '/api/v1/memory/summarize', { token: alice.apiKey, query: { external_user_id: 'hiker' } });
    expect(second.body.run.counts).toMatchObject({ summaries_created: 0, summaries_unchanged: 1 });
    expect(await app.services.db.query("select id from memories where end_user_id = 'hiker' and source = 'summary'")).toHaveLength(1);
  });

  it('deleting a source removes the summary; the next run summarizes the changed cluster', async () => {
    await call(memoryById.DELETE, 'DELETE', `/api/v1/memory/${ids[0]}`, { token: alice.apiKey, params: { memory_id: ids[0]! } });
    expect(await app.services.db.query("select id from memories where end_user_id = 'hiker' and source = 'summary'")).toHaveLength(0);
    const rerun = await call(summarize.POST, 'POST', '/api/v1/memory/summarize', { token: alice.apiKey, query: { external_user_id: 'hiker' } });
    expect(rerun.body.run.counts).toMatchObject({ summaries_created: 1 });
    const summary = await app.services.db.query<{ content: string }>("select content from memories where end_user_id = 'hiker' and source = 'summary'");
    expect(summary[0]!.content).toMatch(/^Summary of 3 related memories/);
  });
});

describe('links, importance, runs and isolation', () => {
  it('link optimization links similar memories of one end user only', async () => {
    await store(alice, 'linker', 'I adore Italian pasta dishes');
    await store(alice, 'linker', 'I adore Italian pasta dishes with pesto');
    await store(alice, 'other-linker', 'I adore Italian pasta dishes too');
    const res = await runJob(alice, 'link-optimization');
    expect(res.body.run.status).toBe('succeeded');
    const links = await app.services.db.query<{ end_user_id: string; a: string; b: string }>(
      'select l.end_user_id, s.end_user_id as a, t.end_user_id as b from memory_links l join memories s on s.id = l.source_id join memories t on t.id = l.target_id',
    );
    expect(links.length).toBeGreaterThan(0);
    expect(links.every((l) => l.a === l.b && l.a === l.end_user_id)).toBe(true);
  });

  it('importance recalculation follows the documented formula', async () => {
    const id = await store(alice, 'important', 'Frequently used memory about espresso');
    // 50 explicit uses; appearing in search results (access_count) does not count.
    await app.services.db.query('update memories set use_count = 50, last_used_at = $2, access_count = 5000 where id = $1', [id, new Date()]);
    await runJob(alice, 'importance-recalculation', { external_user_id: 'important' });
    const [fresh] = await app.services.db.query<{ importance: number }>('select importance from memories where id = $1', [id]);
    expect(Number(fresh!.importance)).toBeCloseTo(0.5 + 0.5 * (1 - Math.exp(-1)), 2);
    await app.services.db.query('update memories set last_used_at = $2, last_accessed_at = now() where id = $1', [id, daysAgo(90)]);
    await runJob(alice, 'importance-recalculation', { external_user_id: 'important' });
    const [faded] = await app.services.db.query<{ importance: number }>('select importance from memories where id = $1', [id]);
    expect(Number(faded!.importance)).toBeCloseTo(0.5 + 0.5 * (1 - Math.exp(-1)) * 0.5, 2);
  });

  it('runs are recorded and listed per account, and never touch another account', async () => {
    await store(bob, 'bob-user', 'Bob keeps bees on his roof');
    const bobBefore = await app.services.db.query('select m.* from memories m join api_keys k on k.account_id = m.account_id where k.id = $1 order by m.id', [bob.keyId]);
    const all = await runJob(alice, 'all');
    expect(all.body.run).toMatchObject({ job_type: 'all', status: 'succeeded' });
    expect(Object.keys(all.body.run.counts).sort()).toEqual(['importance-recalculation', 'link-optimization', 'pruning', 'summarization']);
    expect(all.body.run.duration_ms).toBe(Date.parse(all.body.run.finished_at) - Date.parse(all.body.run.started_at));
    const bobAfter = await app.services.db.query('select m.* from memories m join api_keys k on k.account_id = m.account_id where k.id = $1 order by m.id', [bob.keyId]);
    expect(bobAfter).toEqual(bobBefore);
    const aliceRuns = await call(runs.GET, 'GET', '/api/v1/memory/maintenance/runs', { token: alice.apiKey });
    expect(aliceRuns.body.total_count).toBeGreaterThanOrEqual(4);
    expect(aliceRuns.body.runs[0]).toMatchObject({ job_type: 'all', status: 'succeeded', progress: { end_users_total: expect.any(Number) } });
    const bobRuns = await call(runs.GET, 'GET', '/api/v1/memory/maintenance/runs', { token: bob.apiKey });
    expect(bobRuns.body.total_count).toBe(0);
    expect((await runJob(alice, 'defragment')).status).toBe(422);
  });

  it('a run that fails half-way leaves each end user done or untouched, and is recorded as failed', async () => {
    const account = await createAccount();
    await store(account, 'a-first', 'First user likes green tea a lot');
    await store(account, 'a-first', 'First user likes green tea very much');
    await store(account, 'b-broken', 'Second user likes coffee');
    // A vector of another dimension makes the distance computation fail for this end user only.
    await app.services.db.query("update memories set embedding = '[1,2,3]' where end_user_id = 'b-broken'");
    await store(account, 'b-broken', 'Second user likes strong coffee');
    const res = await runJob(account, 'link-optimization');
    expect(res.body.status).toBe('error');
    expect(res.body.run).toMatchObject({ status: 'failed', progress: { end_users_done: 1 } });
    // The database's own message stays in the server log; the run shows a generic one with the request id.
    expect(res.body.run.error).toMatch(/^The job failed on an internal error \(request [0-9a-f-]{36}\)\.$/);
    const links = await app.services.db.query<{ end_user_id: string }>(
      'select distinct l.end_user_id from memory_links l join api_keys k on k.account_id = l.account_id where k.id = $1',
      [account.keyId],
    );
    expect(links.map((l) => l.end_user_id)).toEqual(['a-first']);
  });
});

describe('scheduled maintenance route', () => {
  it('is protected by CRON_SECRET and runs every account', async () => {
    expect((await call(cron.GET, 'GET', '/api/cron/maintenance')).status).toBe(401);
    expect((await call(cron.GET, 'GET', '/api/cron/maintenance', { token: 'wrong' })).status).toBe(401);
    const ok = await call(cron.GET, 'GET', '/api/cron/maintenance', { token: 'cron-secret-123' });
    expect(ok.status).toBe(200);
    expect(ok.body.accounts).toBeGreaterThanOrEqual(2);
    const bobRuns = await call(runs.GET, 'GET', '/api/v1/memory/maintenance/runs', { token: bob.apiKey });
    expect(bobRuns.body.runs[0]).toMatchObject({ trigger: 'cron', job_type: 'all' });
  });
});

/** One account with a key per agent and a read-only key: two agents of one app must not reach each other's memories. */
async function agentKeys() {
  const owner = await createAccount();
  const key = async (body: Record<string, unknown>) => (await call(keys.POST, 'POST', '/api/v1/keys', { token: owner.accessToken, body: { name: 'Scoped', ...body } })).body.api_key as string;
  return { owner, accountId: await accountIdOf(app.services.db, owner), victim: await key({ agent_id: 'victim-agent' }), intruder: await key({ agent_id: 'intruder-agent' }), reader: await key({ scopes: ['read'] }) };
}
const storeAs = async (token: string, user: string, content: string) =>
  (await call(memory.POST, 'POST', '/api/v1/memory', { token, body: { content, external_user_id: user } })).body.memory.id as string;
const runAs = (token: string, jobType: string, query: Record<string, string> = {}) =>
  call(job.POST, 'POST', `/api/v1/memory/maintenance/${jobType}`, { token, params: { job_type: jobType }, query });
const agentRows = (accountId: string, agent: string) =>
  app.services.db.query('select * from memories where account_id = $1 and agent_id = $2 order by id', [accountId, agent]);
const linksOf = (accountId: string, agent: string) =>
  app.services.db.query<{ source_agent: string | null; target_agent: string | null; created_at: Date }>(
    `select l.*, s.agent_id as source_agent, t.agent_id as target_agent from memory_links l
     join memories s on s.id = l.source_id join memories t on t.id = l.target_id
     where l.account_id = $1 and (s.agent_id = $2 or t.agent_id = $2) order by l.source_id, l.target_id`,
    [accountId, agent],
  );

describe('agent-scoped keys: maintenance works on the key\'s agent only', () => {
  it('prune: the dry run lists, and a hard delete removes, only the agent\'s memories', async () => {
    const { accountId, victim, intruder } = await agentKeys();
    const victimIds = [await storeAs(victim, 'shared-user', 'The victim agent notes a sailing trip'), await storeAs(victim, 'victim-only-user', 'The victim agent notes a dentist visit')];
    const intruderId = await storeAs(intruder, 'shared-user', 'I collect vintage postcards');
    const before = await agentRows(accountId, 'victim-agent');
    const attack = { max_age_days: '0', min_importance: '1', archive_only: 'false' };
    const dry = await call(prune.POST, 'POST', '/api/v1/memory/prune', { token: intruder, query: { ...attack, dry_run: 'true' } });
    expect(dry.status).toBe(200);
    expect(dry.body.memories).toEqual([{ id: intruderId, external_user_id: 'shared-user', reason: 'low_importance' }]);
    expect(dry.text).not.toContain('victim-only-user');
    const res = await call(prune.POST, 'POST', '/api/v1/memory/prune', { token: intruder, query: attack });
    expect(res.body).toMatchObject({ pruned_count: 1, archive_only: false });
    expect(await agentRows(accountId, 'victim-agent')).toEqual(before);
    expect(before.map((row) => row.id).sort()).toEqual([...victimIds].sort());
    expect(await agentRows(accountId, 'intruder-agent')).toEqual([]);
  });

  it('summarize: clusters only the agent\'s memories, the summary carries the agent, and other agents\' summaries stay', async () => {
    const { accountId, victim, intruder } = await agentKeys();
    for (const content of ['I love hiking in the Alps.', 'I really love hiking in the Alps.', 'I love hiking in the Alps every summer.', 'I love hiking in the Swiss Alps.']) {
      await storeAs(victim, 'hiker', content);
    }
    const intruderIds: string[] = [];
    for (const content of ['I love hiking in the Alps too.', 'I really love hiking in the Alps as well.', 'I also love hiking in the Alps every summer.']) {
      intruderIds.push(await storeAs(intruder, 'hiker', content));
    }
    const first = await call(summarize.POST, 'POST', '/api/v1/memory/summarize', { token: victim, query: { external_user_id: 'hiker' } });
    expect(first.body.run).toMatchObject({ status: 'succeeded', params: { agent_id: 'victim-agent' }, counts: { summaries_created: 1 } });
    const victimBefore = await agentRows(accountId, 'victim-agent');
    expect(victimBefore.filter((row) => row.source === 'summary')).toHaveLength(1);
    const second = await call(summarize.POST, 'POST', '/api/v1/memory/summarize', { token: intruder, query: { external_user_id: 'hiker' } });
    expect(second.body.run).toMatchObject({ status: 'succeeded', params: { agent_id: 'intruder-agent' }, counts: { summaries_created: 1, summaries_removed: 0 } });
    expect(await agentRows(accountId, 'victim-agent')).toEqual(victimBefore);
    const summaries = await app.services.db.query<{ id: string; agent_id: string | null }>("select id, agent_id from memories where account_id = $1 and source = 'summary' order by agent_id", [accountId]);
    expect(summaries.map((row) => row.agent_id)).toEqual(['intruder-agent', 'victim-agent']);
    const sources = await app.services.db.query<{ source_id: string }>('select source_id from summary_sources where summary_id = $1', [summaries[0]!.id]);
    expect(sources.map((row) => row.source_id).sort()).toEqual([...intruderIds].sort());
  });

  it('link optimization: links only the agent\'s memories and leaves other agents\' links', async () => {
    const { accountId, victim, intruder } = await agentKeys();
    await storeAs(victim, 'linker', 'I adore Italian pasta dishes');
    await storeAs(victim, 'linker', 'I adore Italian pasta dishes with pesto');
    await storeAs(intruder, 'linker', 'I adore Italian pasta dishes too');
    await storeAs(intruder, 'linker', 'I adore Italian pasta dishes with tomato');
    expect((await runAs(victim, 'link-optimization')).body.run).toMatchObject({ status: 'succeeded', counts: { end_users: 1 } });
    const victimLinks = await linksOf(accountId, 'victim-agent');
    expect(victimLinks.length).toBeGreaterThan(0);
    expect(victimLinks.every((link) => link.source_agent === 'victim-agent' && link.target_agent === 'victim-agent')).toBe(true);
    expect((await runAs(intruder, 'link-optimization')).body.run.status).toBe('succeeded');
    expect(await linksOf(accountId, 'victim-agent')).toEqual(victimLinks);
    const intruderLinks = await linksOf(accountId, 'intruder-agent');
    expect(intruderLinks.length).toBeGreaterThan(0);
    expect(intruderLinks.every((link) => link.source_agent === 'intruder-agent' && link.target_agent === 'intruder-agent')).toBe(true);
  });

  it('importance recalculation: updates only the agent\'s memories', async () => {
    const { accountId, victim, intruder } = await agentKeys();
    const victimId = await storeAs(victim, 'weigher', 'The victim agent remembers a favourite tea');
    await storeAs(intruder, 'weigher', 'I remember a favourite coffee');
    // An importance a recalculation would change (no uses, so it falls back to the base).
    await app.services.db.query('update memories set importance = 0.99 where id = $1', [victimId]);
    const before = await agentRows(accountId, 'victim-agent');
    const res = await runAs(intruder, 'importance-recalculation');
    expect(res.body.run).toMatchObject({ status: 'succeeded', counts: { memories_updated: 1 } });
    expect(await agentRows(accountId, 'victim-agent')).toEqual(before);
  });

  it('runs: record the agent, count only its end users, and are listed only to keys of that agent', async () => {
    const { owner, victim, intruder } = await agentKeys();
    await storeAs(victim, 'victim-only-user', 'The victim agent notes a dentist visit');
    await storeAs(intruder, 'shared-user', 'I collect vintage postcards');
    const victimRun = await runAs(victim, 'importance-recalculation');
    const all = await runAs(intruder, 'all');
    expect(all.body.run).toMatchObject({ status: 'succeeded', params: { agent_id: 'intruder-agent' }, progress: { end_users_total: 1 } });
    expect(all.body.run.counts).toMatchObject({ summarization: { end_users: 1 }, 'link-optimization': { end_users: 1 } });
    const listed = async (token: string) => (await call(runs.GET, 'GET', '/api/v1/memory/maintenance/runs', { token })).body;
    expect(await listed(intruder)).toMatchObject({ total_count: 1, runs: [{ id: all.body.run.id }] });
    expect(await listed(victim)).toMatchObject({ total_count: 1, runs: [{ id: victimRun.body.run.id }] });
    expect((await listed(owner.apiKey)).total_count).toBe(2);
  });

  it('a read-only key can run no maintenance (403) and changes nothing', async () => {
    const { accountId, victim, reader } = await agentKeys();
    await storeAs(victim, 'read-user', 'The victim agent notes a sailing trip');
    const before = await app.services.db.query('select * from memories where account_id = $1 order by id', [accountId]);
    const attempts = [
      await call(prune.POST, 'POST', '/api/v1/memory/prune', { token: reader, query: { max_age_days: '0', min_importance: '1', archive_only: 'false' } }),
      await call(summarize.POST, 'POST', '/api/v1/memory/summarize', { token: reader }),
      ...(await Promise.all(['all', 'pruning'].map((jobType) => runAs(reader, jobType)))),
    ];
    expect(attempts.map((res) => res.status)).toEqual([403, 403, 403, 403]);
    expect(await app.services.db.query('select * from memories where account_id = $1 order by id', [accountId])).toEqual(before);
    expect(await app.services.db.query('select id from maintenance_runs where account_id = $1', [accountId])).toEqual([]);
  });
});

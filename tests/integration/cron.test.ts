import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as cron from '@/app/api/cron/maintenance/route';
import * as settings from '@/app/api/dashboard/settings/route';
import * as importRoute from '@/app/api/v1/import/route';
import * as runs from '@/app/api/v1/memory/maintenance/runs/route';
import * as memory from '@/app/api/v1/memory/route';
import * as status from '@/app/api/v1/status/route';
import { planOf } from '@/lib/billing/plans';
import { accountIdOf, createAccount, type TestAccount } from '@/tests/helpers/accounts';
import { call } from '@/tests/helpers/http';
import { startTestApp, type TestApp } from '@/tests/helpers/services';

// Finding 9 of the adversarial review: the operator's scheduled maintenance pruned every customer, archived backdated
// imports on its next run, and its summaries used up the customer's memory quota.

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ env: { CRON_SECRET: 'cron-secret-finding-9' } });
});
afterAll(() => app.stop());

const runCron = () => call(cron.POST, 'POST', '/api/cron/maintenance', { token: 'cron-secret-finding-9' });
const store = async (account: TestAccount, user: string, content: string) => {
  const res = await call(memory.POST, 'POST', '/api/v1/memory', { token: account.apiKey, body: { content, external_user_id: user } });
  expect(res.status).toBe(201);
  return res.body.memory.id as string;
};
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);
const rowOf = async (id: string) =>
  (await app.services.db.query<{ archived_at: Date | null; superseded_by: string | null }>('select archived_at, superseded_by from memories where id = $1', [id]))[0]!;
const memoryCountOf = async (accountId: string) => (await app.services.db.query<{ memory_count: number }>('select memory_count from accounts where id = $1', [accountId]))[0]!.memory_count;

describe('scheduled pruning is opt-in per account', () => {
  it('an account that did not opt in keeps its old and its unimportant memories', async () => {
    const owner = await createAccount();
    const old = await store(owner, 'keeper', 'I collected stamps when I was a child');
    const minor = await store(owner, 'keeper', 'The weather was mild that afternoon');
    // Truly old (stored long ago, never read since) and truly unimportant: what the 90-day prune takes.
    await app.services.db.query('update memories set created_at = $2, stored_at = $2, last_accessed_at = null where id = $1', [old, daysAgo(400)]);
    await app.services.db.query('update memories set importance = 0.01, base_importance = 0.01 where id = $1', [minor]);

    const res = await runCron();
    expect(res.status).toBe(200);
    expect(res.body.failed).toBe(0);
    expect((await rowOf(old)).archived_at).toBeNull();
    expect((await rowOf(minor)).archived_at).toBeNull();
    const ownRuns = await call(runs.GET, 'GET', '/api/v1/memory/maintenance/runs', { token: owner.apiKey });
    expect(ownRuns.body.runs[0]).toMatchObject({ trigger: 'cron', job_type: 'all', status: 'succeeded' });
    expect(ownRuns.body.runs[0].counts).not.toHaveProperty('pruning');
    expect(ownRuns.body.runs[0].params).not.toHaveProperty('prune');
  });

  it('an opted-in account: staleness counts from when a memory was stored, so a backdated import is not archived', async () => {
    const owner = await createAccount();
    // The account owner opts in from the dashboard (Maintenance page).
    const before = await call(settings.GET, 'GET', '/api/dashboard/settings', { token: owner.accessToken });
    expect(before.body).toEqual({ scheduled_pruning: false, scheduled_llm_summaries: false });
    const optIn = await call(settings.POST, 'POST', '/api/dashboard/settings', { token: owner.accessToken, body: { scheduled_pruning: true } });
    expect(optIn.status).toBe(200);
    expect(optIn.body).toEqual({ scheduled_pruning: true, scheduled_llm_summaries: false });
    const importedId = randomUUID();
    const line = { id: importedId, external_user_id: 'importer', content: 'I graduated from university in Leeds', created_at: daysAgo(730).toISOString() };
    const imported = await call(importRoute.POST, 'POST', '/api/v1/import', { token: owner.apiKey, rawBody: JSON.stringify(line), headers: { 'content-type': 'application/x-ndjson' } });
    expect(imported.body).toMatchObject({ imported: 1 });
    const stale = await store(owner, 'importer', 'I once owned a red bicycle');
    await app.services.db.query('update memories set created_at = $2, stored_at = $2, last_accessed_at = null where id = $1', [stale, daysAgo(200)]);
    const recent = await store(owner, 'importer', 'I am learning to play the cello');

    const res = await runCron();
    expect(res.status).toBe(200);
    expect((await rowOf(importedId)).archived_at).toBeNull();
    expect((await rowOf(stale)).archived_at).not.toBeNull();
    expect((await rowOf(recent)).archived_at).toBeNull();
    const ownRuns = await call(runs.GET, 'GET', '/api/v1/memory/maintenance/runs', { token: owner.apiKey });
    expect(ownRuns.body.runs[0].counts.pruning).toMatchObject({ pruned: 1, archive_only: true, stale: 1 });
    expect(ownRuns.body.runs[0].params.prune).toMatchObject({ age_from: 'stored', archive_only: true });
  });
});

describe('the opt-in setting', () => {
  it('is off by default, changed only by a session of the account, and validated', async () => {
    const owner = await createAccount();
    const other = await createAccount();
    expect((await call(settings.POST, 'POST', '/api/dashboard/settings', { token: other.accessToken, body: { scheduled_pruning: true } })).status).toBe(200);
    expect((await call(settings.GET, 'GET', '/api/dashboard/settings', { token: owner.accessToken })).body).toEqual({ scheduled_pruning: false, scheduled_llm_summaries: false });
    expect((await call(settings.GET, 'GET', '/api/dashboard/settings', {})).status).toBe(401);
    // An API key is not a session: settings are the dashboard's.
    expect((await call(settings.POST, 'POST', '/api/dashboard/settings', { token: owner.apiKey, body: { scheduled_pruning: true } })).status).toBe(401);
    const bad = await call(settings.POST, 'POST', '/api/dashboard/settings', { token: owner.accessToken, body: { scheduled_pruning: 'yes' } });
    expect(bad.status).toBe(422);
    expect(bad.body.details[0].loc).toEqual(['body', 'scheduled_pruning']);
    const accountId = await accountIdOf(app.services.db, owner);
    expect((await app.services.db.query<{ scheduled_pruning: boolean }>('select scheduled_pruning from accounts where id = $1', [accountId]))[0]!.scheduled_pruning).toBe(false);
  });
});

describe('scheduled summaries', () => {
  it("do not use up the customer's memory quota", async () => {
    const owner = await createAccount();
    const accountId = await accountIdOf(app.services.db, owner);
    for (const content of ['I love hiking in the Alps.', 'I really love hiking in the Alps.', 'I love hiking in the Alps every summer.', 'I love hiking in the Swiss Alps.']) {
      await store(owner, 'hiker', content);
    }
    const before = await call(status.GET, 'GET', '/api/v1/status', { token: owner.apiKey });
    expect(before.body.memoriesStored).toBe(4);
    // One memory short of the free plan's limit.
    const limit = planOf('free').memories!;
    await app.services.db.query('update accounts set memory_count = $2 where id = $1', [accountId, limit - 1]);

    expect((await runCron()).status).toBe(200);
    const summaries = await app.services.db.query("select id from memories where account_id = $1 and source = 'summary'", [accountId]);
    expect(summaries).toHaveLength(1);
    expect(await memoryCountOf(accountId)).toBe(limit - 1);
    // The customer's last memory still fits.
    await store(owner, 'hiker', 'My accountant files my taxes in April');
    expect(await memoryCountOf(accountId)).toBe(limit);
  });
});

// A maintenance run holds a lease (heartbeat_at). When its process stops (a deploy, a crash, a recycled serverless
// instance), the next cron tick or process start claims the run in one statement, and resumes it from its params and
// checkpoint: the same account, end user, agent scope and prune options, skipping the end users already done. A run
// that keeps dying is given up as interrupted after MAX_ATTEMPTS starts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as cron from '@/app/api/cron/maintenance/route';
import * as keys from '@/app/api/v1/keys/route';
import * as runs from '@/app/api/v1/memory/maintenance/runs/route';
import * as memory from '@/app/api/v1/memory/route';
import { resumeStaleRuns } from '@/lib/memory/maintenance/resume';
import { claimRun, heartbeat, LeaseLostError, MAX_ATTEMPTS, reportProgress, STALE_AFTER_SECONDS } from '@/lib/memory/maintenance/runs';
import { accountIdOf, createAccount } from '@/tests/helpers/accounts';
import { call } from '@/tests/helpers/http';
import { startTestApp, type TestApp } from '@/tests/helpers/services';

const CRON_SECRET = 'cron-secret-resume';
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ env: { CRON_SECRET } });
});
afterAll(() => app.stop());

const hiking = ['I love hiking in the Swiss Alps', 'Hiking in the Alps is my favourite hobby', 'I go hiking in the Alps every summer', 'My favourite hobby is hiking in the mountains'];
const store = async (token: string, user: string, content: string) => {
  const res = await call(memory.POST, 'POST', '/api/v1/memory', { token, body: { content, external_user_id: user } });
  expect(res.status).toBe(201);
  return res.body.memory.id as string;
};
async function newAccount() {
  const account = await createAccount();
  return { ...account, accountId: await accountIdOf(app.services.db, account) };
}

interface StaleRun {
  accountId: string;
  jobType: string;
  trigger?: string;
  params: Record<string, unknown>;
  /** Where the dead process had got to (what it last wrote). */
  checkpoint?: Record<string, unknown>;
  attempts?: number;
  /** How long ago its process last wrote the heartbeat. */
  heartbeatSecondsAgo?: number;
}
/** A run as a process leaves it when it stops mid-job: still running, its heartbeat old, its checkpoint part-way. */
async function leaveRun(run: StaleRun): Promise<string> {
  const [row] = await app.services.db.query<{ id: string }>(
    `insert into maintenance_runs (account_id, job_type, trigger, params, checkpoint, attempts, started_at, heartbeat_at)
     values ($1, $2, $3, $4::jsonb, $5::jsonb, $6, now() - interval '1 hour', now() - $7::int * interval '1 second') returning id`,
    [run.accountId, run.jobType, run.trigger ?? 'api', JSON.stringify(run.params), JSON.stringify(run.checkpoint ?? {}), run.attempts ?? 1, run.heartbeatSecondsAgo ?? 600],
  );
  return row!.id;
}
const runRow = async (id: string) =>
  (await app.services.db.query<{ status: string; attempts: number; counts: Record<string, Record<string, unknown>>; error: string | null; progress: Record<string, unknown> }>(
    'select status, attempts, counts, error, progress from maintenance_runs where id = $1',
    [id],
  ))[0]!;
const runCron = () => call(cron.POST, 'POST', '/api/cron/maintenance', { token: CRON_SECRET });

describe('a run whose process stopped is resumed', () => {
  it('the cron tick finishes it from its checkpoint: done steps and end users are skipped, counts add up', async () => {
    const owner = await newAccount();
    for (const user of ['resume-a', 'resume-b', 'resume-c']) for (const content of hiking) await store(owner.apiKey, user, content);
    // The dead process had recalculated importance and summarised resume-a (its summary counted in step_counts) when it
    // stopped. A fake count shows whether the done step is skipped (a re-run would count the 12 memories).
    const runId = await leaveRun({
      accountId: owner.accountId,
      jobType: 'all',
      trigger: 'cron',
      params: { external_user_id: null, agent_id: null },
      checkpoint: {
        step: 'summarization',
        end_users_done: 1,
        completed: { 'importance-recalculation': { memories_updated: 99 } },
        step_counts: { end_users: 3, clusters: 1, summaries_created: 1, summaries_unchanged: 0, summaries_removed: 0 },
      },
    });

    const res = await runCron();
    expect(res.status).toBe(200);
    expect(res.body.resumed).toEqual([{ run_id: runId, account_id: owner.accountId, attempt: 2, status: 'succeeded' }]);
    const run = await runRow(runId);
    expect(run).toMatchObject({ status: 'succeeded', attempts: 2, error: null });
    // Only resume-b and resume-c were summarised by the resumed run (one cluster each); pruning was not in the plan.
    expect(run.counts).toEqual({
      'importance-recalculation': { memories_updated: 99 },
      summarization: { end_users: 3, clusters: 3, summaries_created: 3, summaries_unchanged: 0, summaries_removed: 0 },
      'link-optimization': expect.objectContaining({ end_users: 3 }),
    });
    // The account sees attempts, and progress as before (the checkpoint stays internal).
    const listed = await call(runs.GET, 'GET', '/api/v1/memory/maintenance/runs', { token: owner.apiKey });
    const view = listed.body.runs.find((r: { id: string }) => r.id === runId);
    expect(view).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(view.progress).toEqual({ step: 'link-optimization', end_users_done: 3, end_users_total: 3 });
    expect(view).not.toHaveProperty('checkpoint');
  });

  it('skips the end users done and keeps the prune options exactly (a hard delete stays a hard delete)', async () => {
    const owner = await newAccount();
    const first = [await store(owner.apiKey, 'prune-a', 'I keep a small herb garden'), await store(owner.apiKey, 'prune-a', 'I grow basil on the balcony')];
    await store(owner.apiKey, 'prune-b', 'I play the cello on Sundays');
    await store(owner.apiKey, 'prune-b', 'I practise scales every morning');
    const prune = { max_age_days: 36_500, min_importance: 1, max_memories: 10_000, archive_only: false, dry_run: false };
    const runId = await leaveRun({
      accountId: owner.accountId,
      jobType: 'pruning',
      params: { external_user_id: null, agent_id: null, prune },
      checkpoint: { step: 'pruning', end_users_done: 1, completed: {}, step_counts: { end_users: 2, pruned: 5, low_importance: 5 } },
    });

    expect(await resumeStaleRuns(app.services, 'cron')).toEqual([{ run_id: runId, account_id: owner.accountId, attempt: 2, status: 'succeeded' }]);
    expect((await runRow(runId)).counts).toEqual({ end_users: 2, pruned: 7, low_importance: 7, dry_run: false, archive_only: false });
    const rows = await app.services.db.query<{ id: string; end_user_id: string; archived_at: Date | null }>(
      'select id, end_user_id, archived_at from memories where account_id = $1 order by end_user_id, id',
      [owner.accountId],
    );
    // prune-a was done by the dead process: the resumed run leaves it; prune-b's memories are deleted, not archived.
    expect(rows.map((row) => row.id).sort()).toEqual([...first].sort());
    expect(rows.every((row) => row.archived_at === null)).toBe(true);
  });

  it('a run with a fresh heartbeat is left to its process', async () => {
    const owner = await newAccount();
    await store(owner.apiKey, 'alive', 'I am still being maintained');
    const runId = await leaveRun({ accountId: owner.accountId, jobType: 'link-optimization', params: { external_user_id: null, agent_id: null }, heartbeatSecondsAgo: 5 });
    expect(await claimRun(app.services.db, runId)).toBeUndefined();
    expect(await resumeStaleRuns(app.services, 'cron')).toEqual([]);
    expect(await runRow(runId)).toMatchObject({ status: 'running', attempts: 1 });
    await app.services.db.query("update maintenance_runs set status = 'failed', finished_at = now() where id = $1", [runId]);
  });
});

describe('claiming is atomic', () => {
  it('of two claims at once exactly one wins, and two sweeps at once resume the run once', async () => {
    const owner = await newAccount();
    const params = { external_user_id: null, agent_id: null };
    const claimed = await leaveRun({ accountId: owner.accountId, jobType: 'importance-recalculation', params });
    const claims = await Promise.all([claimRun(app.services.db, claimed), claimRun(app.services.db, claimed)]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(claims.find(Boolean)).toMatchObject({ id: claimed, attempts: 2 });
    expect(await runRow(claimed)).toMatchObject({ status: 'running', attempts: 2 });
    await app.services.db.query("update maintenance_runs set status = 'failed', finished_at = now() where id = $1", [claimed]);

    await store(owner.apiKey, 'sweep-user', 'I swim in the lake before work');
    const swept = await leaveRun({ accountId: owner.accountId, jobType: 'importance-recalculation', params });
    const [one, two] = await Promise.all([resumeStaleRuns(app.services, 'cron'), resumeStaleRuns(app.services, 'script')]);
    expect([...one, ...two]).toEqual([{ run_id: swept, account_id: owner.accountId, attempt: 2, status: 'succeeded' }]);
    expect(await runRow(swept)).toMatchObject({ status: 'succeeded', attempts: 2, counts: { memories_updated: 1 } });
  });

  it('a process whose run was taken over stops writing to it', async () => {
    const owner = await newAccount();
    const runId = await leaveRun({ accountId: owner.accountId, jobType: 'importance-recalculation', params: { external_user_id: null, agent_id: null }, heartbeatSecondsAgo: STALE_AFTER_SECONDS + 5 });
    expect(await claimRun(app.services.db, runId)).toMatchObject({ attempts: 2 });
    // The first process comes back to report on attempt 1: its progress is refused.
    await expect(reportProgress(app.services.db, { runId, attempt: 1 }, { progress: { step: 'late' }, checkpoint: {} })).rejects.toBeInstanceOf(LeaseLostError);
    expect(await heartbeat(app.services.db, { runId, attempt: 1 })).toBe(false);
    expect((await runRow(runId)).progress).toEqual({});
    // The new holder's heartbeat and progress go through.
    expect(await heartbeat(app.services.db, { runId, attempt: 2 })).toBe(true);
    await reportProgress(app.services.db, { runId, attempt: 2 }, { progress: { step: 'importance-recalculation' }, checkpoint: {} });
    expect((await runRow(runId)).progress).toEqual({ step: 'importance-recalculation' });
    await app.services.db.query("update maintenance_runs set status = 'failed', finished_at = now() where id = $1", [runId]);
  });
});

describe('a run that keeps dying is given up', () => {
  it(`after ${MAX_ATTEMPTS} starts the cron tick marks it interrupted with the reason, and does no work`, async () => {
    const owner = await newAccount();
    await store(owner.apiKey, 'doomed', 'I like strong black coffee');
    await store(owner.apiKey, 'doomed', 'I like strong black coffee in the morning');
    const runId = await leaveRun({ accountId: owner.accountId, jobType: 'link-optimization', params: { external_user_id: 'doomed', agent_id: null }, attempts: MAX_ATTEMPTS });
    const res = await runCron();
    expect(res.status).toBe(200);
    expect(res.body.resumed).toEqual([{ run_id: runId, account_id: owner.accountId, attempt: MAX_ATTEMPTS, status: 'interrupted' }]);
    const run = await runRow(runId);
    expect(run).toMatchObject({ status: 'interrupted', attempts: MAX_ATTEMPTS, counts: {} });
    expect(run.error).toBe(`The job stopped with its process ${MAX_ATTEMPTS} times; it was given up. Start it again to finish it.`);
    expect(await claimRun(app.services.db, runId)).toBeUndefined();
  });
});

describe('a resumed run keeps its scope', () => {
  it('a run whose end user was erased while it ran is closed as interrupted, not resumed on the placeholder', async () => {
    const owner = await newAccount();
    await store(owner.apiKey, '(erased)', 'An end user whose id happens to be the placeholder');
    const runId = await leaveRun({ accountId: owner.accountId, jobType: 'link-optimization', params: { external_user_id: '(erased)', agent_id: null } });
    expect(await resumeStaleRuns(app.services, 'cron')).toEqual([{ run_id: runId, account_id: owner.accountId, attempt: 2, status: 'interrupted' }]);
    expect(await runRow(runId)).toMatchObject({ status: 'interrupted', error: 'The end user of this run was erased while it ran; it was not resumed.' });
    expect(await app.services.db.query('select 1 from memory_links where account_id = $1', [owner.accountId])).toEqual([]);
  });


  it("an agent-scoped run resumes with its agent's scope: no other agent's or account's data is touched", async () => {
    const owner = await newAccount();
    const key = async (agentId: string) =>
      (await call(keys.POST, 'POST', '/api/v1/keys', { token: owner.accessToken, body: { name: 'Scoped', agent_id: agentId } })).body.api_key as string;
    const [victim, intruder] = [await key('victim-agent'), await key('intruder-agent')];
    for (const content of hiking) await store(victim, 'shared-user', content);
    for (const content of hiking.slice(0, 2)) await store(intruder, 'shared-user', content);
    await store(victim, 'victim-only-user', 'The victim agent notes a dentist visit');
    const neighbour = await newAccount();
    for (const content of hiking) await store(neighbour.apiKey, 'shared-user', content);
    const snapshot = () =>
      app.services.db.query(
        `select m.id, m.importance, m.archived_at, (select count(*)::int from memory_links l where l.source_id = m.id or l.target_id = m.id) as links
         from memories m where m.account_id = $2 or (m.account_id = $1 and m.agent_id is distinct from 'intruder-agent') order by m.id`,
        [owner.accountId, neighbour.accountId],
      );
    const before = await snapshot();
    const runId = await leaveRun({ accountId: owner.accountId, jobType: 'all', params: { external_user_id: null, agent_id: 'intruder-agent' } });

    expect(await resumeStaleRuns(app.services, 'cron')).toEqual([{ run_id: runId, account_id: owner.accountId, attempt: 2, status: 'succeeded' }]);
    const run = await runRow(runId);
    // Only the intruder's one end user; its two memories are linked with each other and nothing else.
    expect(run.counts).toMatchObject({ summarization: { end_users: 1, clusters: 0 }, 'link-optimization': { end_users: 1, links: 2 } });
    expect(await snapshot()).toEqual(before);
    const links = await app.services.db.query<{ source_agent: string; target_agent: string }>(
      `select s.agent_id as source_agent, t.agent_id as target_agent from memory_links l join memories s on s.id = l.source_id join memories t on t.id = l.target_id
       where l.account_id = $1`,
      [owner.accountId],
    );
    expect(links).toEqual([
      { source_agent: 'intruder-agent', target_agent: 'intruder-agent' },
      { source_agent: 'intruder-agent', target_agent: 'intruder-agent' },
    ]);
    // Still listed to the agent's keys only.
    const listedTo = async (token: string) => (await call(runs.GET, 'GET', '/api/v1/memory/maintenance/runs', { token })).body.runs.map((r: { id: string }) => r.id);
    expect(await listedTo(intruder)).toEqual([runId]);
    expect(await listedTo(victim)).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as cron from '@/app/api/cron/maintenance/route';
import * as settings from '@/app/api/dashboard/settings/route';
import * as memory from '@/app/api/v1/memory/route';
import * as summarize from '@/app/api/v1/memory/summarize/route';
import type { Llm, LlmRequest } from '@/lib/llm/types';
import { readUsage } from '@/lib/metering/usage-counters';
import { accountIdOf, createAccount, type TestAccount } from '@/tests/helpers/accounts';
import { call } from '@/tests/helpers/http';
import { startTestApp, type TestApp } from '@/tests/helpers/services';

// Scheduled maintenance is the operator's, not the customer's: with an LLM configured, its summaries spent the
// customer's LLM tokens although the customer never asked. They use the model only for accounts that opted in.

const calls: LlmRequest[] = [];
const fakeLlm: Llm = {
  mode: 'llm',
  model: 'fake-counting-model',
  maxOutputTokens: 200,
  async generate(request) {
    calls.push(request);
    return { text: 'The user loves hiking in the Alps (model summary).', usage: { promptTokens: 40, completionTokens: 12 } };
  },
  stream() {
    throw new Error('not used by maintenance');
  },
  async generateObject() {
    throw new Error('not used by maintenance');
  },
};

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ env: { CRON_SECRET: 'cron-secret-summaries' }, overrides: { llm: fakeLlm } });
});
afterAll(() => app.stop());

const runCron = () => call(cron.POST, 'POST', '/api/cron/maintenance', { token: 'cron-secret-summaries' });
const hiking = ['I love hiking in the Alps.', 'I really love hiking in the Alps.', 'I love hiking in the Alps every summer.', 'I love hiking in the Swiss Alps.'];
const hikerAccount = async () => {
  const owner = await createAccount();
  for (const content of hiking) {
    expect((await call(memory.POST, 'POST', '/api/v1/memory', { token: owner.apiKey, body: { content, external_user_id: 'hiker' } })).status).toBe(201);
  }
  return owner;
};
const summariesOf = async (owner: TestAccount) =>
  app.services.db.query<{ content: string }>("select content from memories where account_id = $1 and source = 'summary'", [await accountIdOf(app.services.db, owner)]);
const tokensOf = async (owner: TestAccount) => {
  const usage = await readUsage(app.services.db, await accountIdOf(app.services.db, owner), new Date());
  return (usage.tokens_prompt_month ?? 0) + (usage.tokens_completion_month ?? 0);
};

describe('scheduled summaries with an LLM configured', () => {
  it('are extractive and spend no LLM tokens for an account that did not opt in', async () => {
    const owner = await hikerAccount();
    calls.length = 0;
    const res = await runCron();
    expect(res.status).toBe(200);
    expect(res.body.failed).toBe(0);
    const summaries = await summariesOf(owner);
    expect(summaries).toHaveLength(1);
    expect(summaries[0]!.content).toMatch(/^Summary of 4 related memories: /);
    expect(calls).toHaveLength(0);
    expect(await tokensOf(owner)).toBe(0);
  });

  it('are written by the model, on the account\'s tokens, once the account opts in from the dashboard', async () => {
    const owner = await hikerAccount();
    const optIn = await call(settings.POST, 'POST', '/api/dashboard/settings', { token: owner.accessToken, body: { scheduled_llm_summaries: true } });
    expect(optIn.status).toBe(200);
    // Only the setting given changes.
    expect(optIn.body).toEqual({ scheduled_pruning: false, scheduled_llm_summaries: true });
    calls.length = 0;
    expect((await runCron()).status).toBe(200);
    const summaries = await summariesOf(owner);
    expect(summaries.map((s) => s.content)).toEqual(['The user loves hiking in the Alps (model summary).']);
    // Other accounts' clusters were summarized in earlier tests and are unchanged, so this is the one call.
    expect(calls).toHaveLength(1);
    expect(calls[0]!.memories.sort()).toEqual([...hiking].sort());
    expect(await tokensOf(owner)).toBe(52);
  });

  it('a summary the account requests itself still uses the model', async () => {
    const owner = await hikerAccount();
    calls.length = 0;
    const res = await call(summarize.POST, 'POST', '/api/v1/memory/summarize', { token: owner.apiKey, query: { external_user_id: 'hiker' } });
    expect(res.body.run).toMatchObject({ status: 'succeeded', counts: { summaries_created: 1 } });
    expect(calls).toHaveLength(1);
    expect((await summariesOf(owner))[0]!.content).toBe('The user loves hiking in the Alps (model summary).');
  });
});

describe('the scheduled LLM summaries setting', () => {
  it('is off by default, per account, changed only by a session, validated, and independent of pruning', async () => {
    const owner = await createAccount();
    const other = await createAccount();
    expect((await call(settings.POST, 'POST', '/api/dashboard/settings', { token: other.accessToken, body: { scheduled_llm_summaries: true } })).status).toBe(200);
    expect((await call(settings.GET, 'GET', '/api/dashboard/settings', { token: owner.accessToken })).body).toEqual({ scheduled_pruning: false, scheduled_llm_summaries: false });
    expect((await call(settings.POST, 'POST', '/api/dashboard/settings', { token: owner.apiKey, body: { scheduled_llm_summaries: true } })).status).toBe(401);
    const bad = await call(settings.POST, 'POST', '/api/dashboard/settings', { token: owner.accessToken, body: { scheduled_llm_summaries: 'yes' } });
    expect(bad.status).toBe(422);
    expect(bad.body.details[0].loc).toEqual(['body', 'scheduled_llm_summaries']);
    const pruning = await call(settings.POST, 'POST', '/api/dashboard/settings', { token: owner.accessToken, body: { scheduled_pruning: true } });
    expect(pruning.body).toEqual({ scheduled_pruning: true, scheduled_llm_summaries: false });
    const both = await call(settings.POST, 'POST', '/api/dashboard/settings', { token: owner.accessToken, body: { scheduled_llm_summaries: true } });
    expect(both.body).toEqual({ scheduled_pruning: true, scheduled_llm_summaries: true });
  });
});

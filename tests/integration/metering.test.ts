import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as chatRoute from '@/app/api/v1/chat/route';
import * as ingestRoute from '@/app/api/v1/ingest/route';
import * as memory from '@/app/api/v1/memory/route';
import * as summarize from '@/app/api/v1/memory/summarize/route';
import { parseEnv } from '@/lib/env';
import { createLlm } from '@/lib/llm';
import { createOfflineLlm } from '@/lib/llm/offline';
import { createExtractor } from '@/lib/memory/ingest/extraction';
import { accountIdOf, createAccount, type TestAccount } from '@/tests/helpers/accounts';
import { startFakeLlmServer } from '@/tests/helpers/fake-llm-server';
import { call } from '@/tests/helpers/http';
import { startTestApp, type TestApp } from '@/tests/helpers/services';

// Every LLM call goes through ctx.llm, the metered client: tokens are checked before and recorded as soon as the
// provider answers, whatever the work around the call does next.

let app: TestApp;
let llmServer: Awaited<ReturnType<typeof startFakeLlmServer>>;

beforeAll(async () => {
  app = await startTestApp();
  llmServer = await startFakeLlmServer();
});
afterAll(async () => {
  await llmServer.stop();
  await app.stop();
});
const useLlm = (extra: Record<string, string> = {}) => {
  app.services.llm = createLlm(parseEnv({ LLM_PROVIDER: 'openai', OPENAI_BASE_URL: `${llmServer.url}/v1`, OPENAI_API_KEY: 'sk-test', LLM_MODEL: 'fake-model', ...extra }));
  app.services.extractor = createExtractor(app.services.llm);
};
afterEach(() => {
  app.services.llm = createOfflineLlm();
  app.services.extractor = createExtractor(app.services.llm);
});

const month = () => new Date().toISOString().slice(0, 7);
async function tokensOf(account: TestAccount): Promise<number> {
  const rows = await app.services.db.query<{ used: string }>(
    "select coalesce(sum(value), 0) as used from usage_counters where account_id = $1 and period = $2 and metric in ('tokens_prompt', 'tokens_completion')",
    [await accountIdOf(app.services.db, account), month()],
  );
  return Number(rows[0]!.used);
}
const fact = (content: string) => ({ content, category: 'general', slot: null, entities: [], relations: [], sourceMessage: 0, supersedes: [], duplicateOf: null });

describe('metering of LLM calls', () => {
  it('counts extraction tokens even when the ingest is then refused at the memory limit', async () => {
    const account = await createAccount();
    await app.services.db.query('update accounts set memory_count = 1000 where id = $1', [await accountIdOf(app.services.db, account)]);
    useLlm();
    llmServer.setBehaviour({ kind: 'reply', text: JSON.stringify({ facts: [fact('User keeps bees on the roof')] }) });
    const before = llmServer.requests.length;
    const res = await call(ingestRoute.POST, 'POST', '/api/v1/ingest', { token: account.apiKey, body: { userId: 'beekeeper', messages: [{ role: 'user', content: 'I keep bees on my roof.' }] } });
    expect(res.status).toBe(429);
    expect(llmServer.requests.length).toBe(before + 1);
    // The fake provider reports 42 prompt and 7 completion tokens per call.
    expect(await tokensOf(account)).toBe(49);
    const [stored] = await app.services.db.query<{ count: number }>("select count(*)::int as count from memories where end_user_id = 'beekeeper'");
    expect(stored!.count).toBe(0);
  });

  it('meters LLM summaries, and refuses them without calling the model once the month is spent', async () => {
    const account = await createAccount();
    for (const content of ['I love hiking in the Alps.', 'I really love hiking in the Alps.', 'I love hiking in the Alps every summer.']) {
      const stored = await call(memory.POST, 'POST', '/api/v1/memory', { token: account.apiKey, body: { content, external_user_id: 'hiker' } });
      expect(stored.status).toBe(201);
    }
    useLlm();
    llmServer.setBehaviour({ kind: 'reply', text: 'The user loves hiking in the Alps.' });
    const first = await call(summarize.POST, 'POST', '/api/v1/memory/summarize', { token: account.apiKey, query: { external_user_id: 'hiker' } });
    expect(first.body.run).toMatchObject({ status: 'succeeded', counts: { summaries_created: 1 } });
    expect(await tokensOf(account)).toBe(49);

    await app.services.db.query("delete from memories where source = 'summary' and end_user_id = 'hiker'");
    await app.services.db.query("insert into usage_counters (account_id, metric, period, value) values ($1, 'tokens_prompt', $2, 100000) on conflict (account_id, metric, period) do update set value = 100000", [
      await accountIdOf(app.services.db, account),
      month(),
    ]);
    const calls = llmServer.requests.length;
    const refused = await call(summarize.POST, 'POST', '/api/v1/memory/summarize', { token: account.apiKey, query: { external_user_id: 'hiker' } });
    expect(refused.body.run).toMatchObject({ status: 'failed', error: expect.stringMatching(/Rate limit exceeded/) });
    expect(llmServer.requests.length).toBe(calls);
  });

  it('reserves the prompt and the most the model may answer before a call, so a call that could overshoot the month is refused', async () => {
    const account = await createAccount();
    const accountId = await accountIdOf(app.services.db, account);
    // 500 tokens left of the free plan's 100,000; a call reserves its prompt plus LLM_MAX_OUTPUT_TOKENS (1,024).
    await app.services.db.query("insert into usage_counters (account_id, metric, period, value) values ($1, 'tokens_prompt', $2, 99500)", [accountId, month()]);
    useLlm();
    const calls = llmServer.requests.length;
    const res = await call(chatRoute.POST, 'POST', '/api/v1/chat', { token: account.apiKey, body: { message: 'What do I like?', external_user_id: 'u' } });
    expect(res.status).toBe(429);
    expect(llmServer.requests.length).toBe(calls);
    expect(await tokensOf(account)).toBe(99500);
  });

  it('charges a timed-out call its prompt (the provider billed it), and a provider error nothing', async () => {
    const account = await createAccount();
    useLlm({ LLM_TIMEOUT_MS: '300' });
    llmServer.setBehaviour({ kind: 'hang' });
    const timedOut = await call(chatRoute.POST, 'POST', '/api/v1/chat', { token: account.apiKey, body: { message: 'Tell me about my week, please.', external_user_id: 'u' } });
    expect(timedOut.status).toBe(504);
    const charged = await tokensOf(account);
    expect(charged).toBeGreaterThan(50);
    expect(charged).toBeLessThan(1024);
    useLlm();
    llmServer.setBehaviour({ kind: 'error', status: 500 });
    const failed = await call(chatRoute.POST, 'POST', '/api/v1/chat', { token: account.apiKey, body: { message: 'Tell me about my week, please.', external_user_id: 'u' } });
    expect(failed.status).toBe(502);
    expect(await tokensOf(account)).toBe(charged);
  });
});

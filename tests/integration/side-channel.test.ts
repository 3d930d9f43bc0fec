import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as memory from '@/app/api/v1/memory/route';
import * as search from '@/app/api/v1/memory/search/route';
import { createContext } from '@/lib/core/context';
import { withBatchingAndCache } from '@/lib/embeddings/batching';
import { embedOrFail } from '@/lib/embeddings/embed-or-fail';
import type { Embedder } from '@/lib/embeddings/types';
import { ApiError } from '@/lib/errors';
import { accountIdOf, createAccount, type TestAccount } from '@/tests/helpers/accounts';
import { call } from '@/tests/helpers/http';
import { startTestApp, testEmbedder, type TestApp } from '@/tests/helpers/services';

// Finding 8 of the adversarial review: the process-wide embedding cache told any tenant (by a cache hit and its
// Server-Timing) whether another tenant had embedded a text, and one tenant's bad text failed a merged batch of others.

const POISON = 'POISON-PILL';

/** The real local model behind a recorder: every model call's texts; a text with POISON makes the model throw. */
function recordingModel(inner: Embedder) {
  const calls: string[][] = [];
  const model: Embedder = {
    id: inner.id,
    dimensions: inner.dimensions,
    async embed(texts) {
      calls.push([...texts]);
      if (texts.some((text) => text.includes(POISON))) throw new Error('the provider rejected the input');
      return inner.embed(texts);
    },
  };
  return { model, calls };
}

const recorder = recordingModel(testEmbedder());
let app: TestApp;
let alice: TestAccount;
let bob: TestAccount;

beforeAll(async () => {
  app = await startTestApp({ overrides: { embedder: withBatchingAndCache(recorder.model) } });
  alice = await createAccount();
  bob = await createAccount();
});
afterAll(() => app.stop());

const modelCallsWith = (text: string) => recorder.calls.filter((texts) => texts.includes(text)).length;
const searchAs = (account: TestAccount, query: string) =>
  call(search.POST, 'POST', '/api/v1/memory/search', { token: account.apiKey, body: { query, external_user_id: 'someone', similarity_threshold: 0 } });

describe('embedding cache per account', () => {
  it("another tenant's embedding of the same text is never served to this tenant: its request reaches the model either way", async () => {
    const text = 'Is my sister still planning the trip to Lisbon in October?';
    const first = await searchAs(alice, text);
    expect(first.status).toBe(200);
    expect(first.headers.get('server-timing')).toMatch(/^embed;dur=[\d.]+, db;dur=/);
    expect(modelCallsWith(text)).toBe(1);

    // Bob asks the same question after Alice: had he been served Alice's cached vector, his embed time would say so.
    const second = await searchAs(bob, text);
    expect(second.status).toBe(200);
    expect(modelCallsWith(text)).toBe(2);

    // The cache still works within one account.
    expect((await searchAs(alice, text)).status).toBe(200);
    expect((await searchAs(bob, text)).status).toBe(200);
    expect(modelCallsWith(text)).toBe(2);
  });

  it('stored texts are cached per account too (a store warms only its own account)', async () => {
    const text = 'I keep my spare house key under the blue flowerpot';
    const stored = await call(memory.POST, 'POST', '/api/v1/memory', { token: alice.apiKey, body: { content: text, external_user_id: 'someone' } });
    expect(stored.status).toBe(201);
    expect(modelCallsWith(text)).toBe(1);
    expect((await searchAs(bob, text)).status).toBe(200);
    expect(modelCallsWith(text)).toBe(2);
  });
});

describe('merged embedding batches', () => {
  it("a batch merged from two tenants' requests in which one text makes the model throw fails only that request", async () => {
    const account = async (test: TestAccount) => ({ id: await accountIdOf(app.services.db, test), plan: 'free' });
    const ctxOf = async (test: TestAccount) => createContext(app.services, { account: await account(test), caller: { type: 'system', name: 'script' }, requestId: 'test' });
    const [aliceCtx, bobCtx] = await Promise.all([ctxOf(alice), ctxOf(bob)]);
    const good = 'Alice prefers window seats on long flights';
    const bad = `Bob sends ${POISON} text`;
    // Both calls are made in the same tick, so the batching layer merges them into one model call.
    const [aliceResult, bobResult] = await Promise.allSettled([embedOrFail(aliceCtx, [good]), embedOrFail(bobCtx, ['a harmless first text', bad])]);
    expect(recorder.calls.some((texts) => texts.includes(good) && texts.includes(bad))).toBe(true);
    expect(aliceResult.status).toBe('fulfilled');
    expect(aliceResult.status === 'fulfilled' && aliceResult.value[0]).toHaveLength(app.services.embedder.dimensions);
    expect(bobResult.status).toBe('rejected');
    expect(bobResult.status === 'rejected' && bobResult.reason).toBeInstanceOf(ApiError);
    expect(bobResult.status === 'rejected' && (bobResult.reason as ApiError).status).toBe(502);
  });

  it('over HTTP, concurrent stores: the bad text gets a 502 and the other tenant its 201', async () => {
    const [fine, refused] = await Promise.all([
      call(memory.POST, 'POST', '/api/v1/memory', { token: alice.apiKey, body: { content: 'Alice waters the ferns on Sundays', external_user_id: 'someone' } }),
      call(memory.POST, 'POST', '/api/v1/memory', { token: bob.apiKey, body: { content: `Bob stores ${POISON} again`, external_user_id: 'someone' } }),
    ]);
    expect(fine.status).toBe(201);
    expect(refused.status).toBe(502);
    expect(refused.body.detail).toMatch(/embedding provider failed/);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as checkout from '@/app/api/billing/checkout/route';
import * as chatRoute from '@/app/api/v1/chat/route';
import * as portal from '@/app/api/billing/portal/route';
import * as billingInfo from '@/app/api/dashboard/billing/route';
import * as memory from '@/app/api/v1/memory/route';
import * as search from '@/app/api/v1/memory/search/route';
import * as stats from '@/app/api/v1/memory/stats/route';
import * as status from '@/app/api/v1/status/route';
import * as keysRoute from '@/app/api/v1/keys/route';
import { createStripeBilling } from '@/lib/billing/stripe';
import { parseEnv } from '@/lib/env';
import { createMemoryRateLimiter } from '@/lib/ratelimit/memory';
import { createUpstashRateLimiter } from '@/lib/ratelimit/upstash';
import { accountIdOf, createAccount, type TestAccount } from '@/tests/helpers/accounts';
import { sendStripeEvent, startFakeStripe, stripeEvent } from '@/tests/helpers/fake-stripe-server';
import { call } from '@/tests/helpers/http';
import { startTestApp, type TestApp } from '@/tests/helpers/services';
import { startUpstashCompatibleRedis } from '@/tests/helpers/upstash-rest-redis';

const WEBHOOK_SECRET = 'whsec_test_secret';
let app: TestApp;
let fakeStripe: Awaited<ReturnType<typeof startFakeStripe>>;

beforeAll(async () => {
  app = await startTestApp();
  fakeStripe = await startFakeStripe();
  app.services.billing = createStripeBilling(
    parseEnv({ STRIPE_SECRET_KEY: 'sk_test_123', STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, STRIPE_PRICE_STARTER: 'price_starter', STRIPE_PRICE_PRO: 'price_pro', STRIPE_API_BASE: fakeStripe.url }),
  );
});
afterAll(async () => {
  await fakeStripe.stop();
  await app.stop();
});

const setPlan = async (account: TestAccount, plan: string) => app.services.db.query('update accounts set plan = $2 where id = $1', [await accountIdOf(app.services.db, account), plan]);
const searchAs = (account: TestAccount) =>
  call(search.POST, 'POST', '/api/v1/memory/search', { token: account.apiKey, body: { query: 'anything', external_user_id: 'u@example.com' } });
const storeAs = (account: TestAccount, content: string) => call(memory.POST, 'POST', '/api/v1/memory', { token: account.apiKey, body: { content, external_user_id: 'u@example.com' } });

describe('quotas', () => {
  it('when 50 searches race for the last 5 of the day, exactly 5 succeed and refusals change nothing', async () => {
    const account = await createAccount();
    const accountId = await accountIdOf(app.services.db, account);
    const day = app.services.now().toISOString().slice(0, 10);
    await app.services.db.query("insert into usage_counters (account_id, metric, period, value) values ($1, 'searches', $2, 95)", [accountId, day]);
    const results = await Promise.all(Array.from({ length: 50 }, () => searchAs(account)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(5);
    const refused = results.filter((r) => r.status === 429);
    expect(refused).toHaveLength(45);
    expect(refused[0]!.body).toEqual({ detail: 'Rate limit exceeded. Upgrade your plan or wait.' });
    expect(Number(refused[0]!.headers.get('retry-after'))).toBeGreaterThan(0);
    const counter = await app.services.db.query<{ value: string }>("select value from usage_counters where account_id = $1 and metric = 'searches' and period = $2", [accountId, day]);
    expect(Number(counter[0]!.value)).toBe(100);
  });

  it('when 50 stores race for the last 5 memories of the plan, exactly 5 are stored', async () => {
    const account = await createAccount();
    const accountId = await accountIdOf(app.services.db, account);
    await app.services.db.query(
      "insert into memories (account_id, end_user_id, content) select $1, 'filler', 'filler ' || g from generate_series(1, 995) g",
      [accountId],
    );
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => storeAs(account, `racing memory ${i}`)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(5);
    expect(results.filter((r) => r.status === 429)).toHaveLength(45);
    const [row] = await app.services.db.query<{ n: number; memory_count: number }>(
      'select (select count(*) from memories where account_id = $1)::int as n, (select memory_count from accounts where id = $1) as memory_count',
      [accountId],
    );
    expect(row).toEqual({ n: 1000, memory_count: 1000 });
    const reported = await call(status.GET, 'GET', '/api/v1/status', { token: account.apiKey });
    expect(reported.body).toMatchObject({ memoriesStored: 1000, plan: 'free' });
  });

  it('chat at the memory limit still replies, and says the message was not stored', async () => {
    const account = await createAccount();
    const accountId = await accountIdOf(app.services.db, account);
    await app.services.db.query("insert into memories (account_id, end_user_id, content) select $1, 'filler', 'filler ' || g from generate_series(1, 1000) g", [accountId]);
    const res = await call(chatRoute.POST, 'POST', '/api/v1/chat', { token: account.apiKey, body: { message: 'I adopted a parrot named Kiwi last week.', external_user_id: 'talker' } });
    expect(res.status).toBe(200);
    expect(res.body.memory_created).toBe(false);
    expect(await app.services.db.query("select id from memories where account_id = $1 and end_user_id = 'talker'", [accountId])).toEqual([]);
  });

  it('counts per period: a new day (and month) starts from zero (injected clock)', async () => {
    const account = await createAccount();
    const accountId = await accountIdOf(app.services.db, account);
    const realNow = app.services.now;
    try {
      app.services.now = () => new Date('2026-01-31T23:59:00Z');
      await app.services.db.query("insert into usage_counters (account_id, metric, period, value) values ($1, 'searches', '2026-01-31', 100)", [accountId]);
      expect((await searchAs(account)).status).toBe(429);
      app.services.now = () => new Date('2026-02-01T00:00:30Z');
      expect((await searchAs(account)).status).toBe(200);
      const usage = await call(stats.GET, 'GET', '/api/v1/memory/stats', { token: account.apiKey });
      expect(usage.body.usage).toMatchObject({ period: '2026-02', searches_today: 1, searches_this_month: 1 });
    } finally {
      app.services.now = realNow;
    }
  });

  it('after a downgrade below usage, reads still work and writes get 429', async () => {
    const account = await createAccount();
    await setPlan(account, 'pro');
    expect((await storeAs(account, 'stored while on pro')).status).toBe(201);
    await app.services.db.query('update accounts set memory_count = 5000 where id = $1', [await accountIdOf(app.services.db, account)]);
    await setPlan(account, 'free');
    expect((await storeAs(account, 'over the free limit')).status).toBe(429);
    const list = await call(memory.GET, 'GET', '/api/v1/memory', { token: account.apiKey });
    expect(list.status).toBe(200);
    expect(list.body.memories.map((m: { content: string }) => m.content)).toEqual(['stored while on pro']);
  });
});

describe('per-minute rate limits', () => {
  it('in process: the free plan allows 30 a minute per key, then 429 with Retry-After; headers on every response', async () => {
    const account = await createAccount();
    const other = await createAccount();
    let now = Date.UTC(2026, 10, 21, 12, 0, 10);
    const previous = app.services.rateLimiter;
    app.services.rateLimiter = createMemoryRateLimiter(() => now);
    try {
      const statusOf = async (a: TestAccount) => call(stats.GET, 'GET', '/api/v1/memory/stats', { token: a.apiKey });
      for (let i = 0; i < 30; i++) {
        const res = await statusOf(account);
        expect(res.status).toBe(200);
        expect(res.headers.get('x-ratelimit-limit')).toBe('30');
        expect(res.headers.get('x-ratelimit-remaining')).toBe(String(29 - i));
      }
      const refused = await statusOf(account);
      expect(refused.status).toBe(429);
      expect(refused.body).toEqual({ detail: 'Rate limit exceeded. Upgrade your plan or wait.' });
      expect(refused.headers.get('retry-after')).toBe('50');
      expect((await statusOf(other)).status).toBe(200);
      now += 2 * 60_000;
      expect((await statusOf(account)).status).toBe(200);
    } finally {
      app.services.rateLimiter = previous;
    }
  });

  it('limits the account as a whole too: a second key does not double the rate', async () => {
    const account = await createAccount();
    const secondKey = (await call(keysRoute.POST, 'POST', '/api/v1/keys', { token: account.accessToken, body: { name: 'second' } })).body.api_key as string;
    const previous = app.services.rateLimiter;
    app.services.rateLimiter = createMemoryRateLimiter(() => Date.UTC(2026, 10, 21, 12, 0, 10));
    try {
      const statuses = [];
      for (let i = 0; i < 20; i++) statuses.push((await call(stats.GET, 'GET', '/api/v1/memory/stats', { token: account.apiKey })).status);
      for (let i = 0; i < 11; i++) statuses.push((await call(stats.GET, 'GET', '/api/v1/memory/stats', { token: secondKey })).status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(30);
      expect(statuses.at(-1)).toBe(429);
    } finally {
      app.services.rateLimiter = previous;
    }
  });

  it('Upstash: @upstash/ratelimit over a real Redis behind an Upstash-compatible REST endpoint', async () => {
    const redis = await startUpstashCompatibleRedis();
    const account = await createAccount();
    const previous = app.services.rateLimiter;
    app.services.rateLimiter = createUpstashRateLimiter({ url: redis.url, token: redis.token });
    try {
      // @upstash/ratelimit's sliding window counts the previous minute (windows start on whole minutes of the clock)
      // weighted by its remaining overlap, rounded down: requests that straddle a minute boundary can get one extra.
      // Start right after a boundary, so the 31 requests fall in one window (CI once hit the boundary).
      const intoMinute = Date.now() % 60_000;
      if (intoMinute > 45_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoMinute + 250));
      const results = [];
      for (let i = 0; i < 31; i++) results.push(await call(stats.GET, 'GET', '/api/v1/memory/stats', { token: account.apiKey }));
      expect(results.slice(0, 30).map((r) => `${r.status} ${r.text.slice(0, 120)}`).filter((r) => !r.startsWith('200'))).toEqual([]);
      expect(results[0]!.headers.get('x-ratelimit-remaining')).toBe('29');
      expect(results[30]!.status).toBe(429);
    } finally {
      app.services.rateLimiter = previous;
      await redis.stop();
    }
  });
});

describe('Stripe', () => {
  const sendEvent = (event: Record<string, unknown>, secret = WEBHOOK_SECRET) => sendStripeEvent(event, secret);
  const event = stripeEvent;
  const planOf = async (account: TestAccount) =>
    (await app.services.db.query<{ plan: string; subscription_status: string | null }>('select plan, subscription_status from accounts where id = $1', [await accountIdOf(app.services.db, account)]))[0]!;

  it('Checkout and Portal go through the real stripe client', async () => {
    const account = await createAccount();
    const res = await call(checkout.POST, 'POST', '/api/billing/checkout', { token: account.accessToken, body: { plan: 'pro' } });
    expect(res.status).toBe(200);
    expect(res.body.url).toBe('https://checkout.stripe.test/c/cs_test_1');
    const sent = fakeStripe.requests.at(-1)!;
    expect(sent.path).toBe('/v1/checkout/sessions');
    expect(sent.authorization).toBe('Bearer sk_test_123');
    expect(sent.form.get('line_items[0][price]')).toBe('price_pro');
    expect(sent.form.get('client_reference_id')).toBe(await accountIdOf(app.services.db, account));
    expect(sent.form.get('mode')).toBe('subscription');
    expect((await call(checkout.POST, 'POST', '/api/billing/checkout', { token: account.accessToken, body: { plan: 'gold' } })).status).toBe(422);
    const noCustomer = await call(portal.POST, 'POST', '/api/billing/portal', { token: account.accessToken });
    expect(noCustomer.status).toBe(400);
  });

  it('webhooks set the plan once, ignore replays and older events, and refuse forged signatures', async () => {
    const account = await createAccount();
    const accountId = await accountIdOf(app.services.db, account);
    const completed = event('evt_1', 'checkout.session.completed', 1_800_000_100, { id: 'cs_1', client_reference_id: accountId, customer: 'cus_1', subscription: 'sub_1', payment_status: 'paid', metadata: { plan: 'pro', account_id: accountId } });
    expect((await sendEvent(completed)).body).toMatchObject({ received: true, duplicate: false });
    expect(await planOf(account)).toEqual({ plan: 'pro', subscription_status: 'active' });
    expect((await sendEvent(completed)).body).toMatchObject({ duplicate: true });

    const downgraded = event('evt_2', 'customer.subscription.updated', 1_800_000_300, { id: 'sub_1', customer: 'cus_1', status: 'active', items: { data: [{ price: { id: 'price_starter' } }] } });
    await sendEvent(downgraded);
    expect((await planOf(account)).plan).toBe('starter');
    const older = event('evt_3', 'customer.subscription.updated', 1_800_000_200, { id: 'sub_1', customer: 'cus_1', status: 'active', items: { data: [{ price: { id: 'price_pro' } }] } });
    await sendEvent(older);
    expect((await planOf(account)).plan).toBe('starter');

    await sendEvent(event('evt_4', 'invoice.payment_failed', 1_800_000_400, { id: 'in_1', customer: 'cus_1' }));
    expect(await planOf(account)).toEqual({ plan: 'starter', subscription_status: 'past_due' });
    await sendEvent(event('evt_5', 'customer.subscription.deleted', 1_800_000_500, { id: 'sub_1', customer: 'cus_1', status: 'canceled' }));
    expect(await planOf(account)).toEqual({ plan: 'free', subscription_status: 'canceled' });

    const forged = await sendEvent(event('evt_6', 'checkout.session.completed', 1_800_000_600, { client_reference_id: accountId, metadata: { plan: 'pro' } }), 'whsec_wrong');
    expect(forged.status).toBe(400);
    expect(forged.body).toEqual({ detail: 'Invalid Stripe signature' });
    expect((await planOf(account)).plan).toBe('free');

    const portalRes = await call(portal.POST, 'POST', '/api/billing/portal', { token: account.accessToken });
    expect(portalRes.body.url).toBe('https://billing.stripe.test/p/bps_1');
    expect(fakeStripe.requests.at(-1)!.form.get('customer')).toBe('cus_1');
    const info = await call(billingInfo.GET, 'GET', '/api/dashboard/billing', { token: account.accessToken });
    expect(info.body).toMatchObject({ plan: 'free', billingEnabled: true, hasCustomer: true });
  });
});

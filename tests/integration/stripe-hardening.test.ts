import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as checkout from '@/app/api/billing/checkout/route';
import * as portal from '@/app/api/billing/portal/route';
import { createStripeBilling } from '@/lib/billing/stripe';
import { parseEnv } from '@/lib/env';
import { accountIdOf, createAccount } from '@/tests/helpers/accounts';
import { sendStripeEvent, startFakeStripe, stripeEvent } from '@/tests/helpers/fake-stripe-server';
import { call } from '@/tests/helpers/http';
import { startTestApp, type TestApp } from '@/tests/helpers/services';

const WEBHOOK_SECRET = 'whsec_hardening';
let app: TestApp;
let fakeStripe: Awaited<ReturnType<typeof startFakeStripe>>;

beforeAll(async () => {
  app = await startTestApp();
  fakeStripe = await startFakeStripe();
  app.services.billing = createStripeBilling(
    parseEnv({ STRIPE_SECRET_KEY: 'sk_test_123', STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, STRIPE_PRICE_STARTER: 'price_starter', STRIPE_PRICE_PRO: 'price_pro', STRIPE_PRICE_SCALE: 'price_scale', STRIPE_API_BASE: fakeStripe.url }),
  );
});
afterAll(async () => {
  await fakeStripe.stop();
  await app.stop();
});

/** One subscriber per test: its own account, customer and event ids, and a clock that only moves forward. */
async function subscriber() {
  const account = await createAccount();
  const accountId = await accountIdOf(app.services.db, account);
  const tag = randomUUID().slice(0, 8);
  const customer = `cus_${tag}`;
  let created = 1_800_000_000;
  const send = async (type: string, object: Record<string, unknown>) => {
    const res = await sendStripeEvent(stripeEvent(`evt_${tag}_${created}`, type, (created += 100), object), WEBHOOK_SECRET);
    expect(res.status).toBe(200);
    return res;
  };
  const session = (subscription: string, plan: string, paymentStatus: string) => ({
    id: `cs_${tag}_${subscription}`,
    client_reference_id: accountId,
    customer,
    subscription,
    payment_status: paymentStatus,
    metadata: { plan, account_id: accountId },
  });
  const subscription = (id: string, status: string, price = 'price_pro') => ({ id, customer, status, items: { data: [{ price: { id: price } }] } });
  const billing = async () =>
    (await app.services.db.query<{ plan: string; subscription_status: string | null; stripe_subscription_id: string | null }>(
      'select plan, subscription_status, stripe_subscription_id from accounts where id = $1',
      [accountId],
    ))[0]!;
  return { account, accountId, customer, tag, send, session, subscription, billing };
}

describe('subscription events apply to the current subscription only', () => {
  it('an update or cancellation of another subscription of the same customer leaves the plan alone', async () => {
    const s = await subscriber();
    await s.send('checkout.session.completed', s.session('sub_current', 'pro', 'paid'));
    expect(await s.billing()).toEqual({ plan: 'pro', subscription_status: 'active', stripe_subscription_id: 'sub_current' });

    await s.send('customer.subscription.updated', s.subscription('sub_other', 'active', 'price_starter'));
    await s.send('customer.subscription.updated', s.subscription('sub_other', 'canceled'));
    await s.send('customer.subscription.deleted', s.subscription('sub_other', 'canceled'));
    await s.send('invoice.payment_failed', { id: 'in_other', customer: s.customer, subscription: 'sub_other' });
    expect(await s.billing()).toEqual({ plan: 'pro', subscription_status: 'active', stripe_subscription_id: 'sub_current' });

    await s.send('customer.subscription.updated', s.subscription('sub_current', 'active', 'price_scale'));
    expect(await s.billing()).toEqual({ plan: 'scale', subscription_status: 'active', stripe_subscription_id: 'sub_current' });
  });

  it('moving to a new subscription: cancelling the old one afterwards does not drop the account to free', async () => {
    const s = await subscriber();
    await s.send('checkout.session.completed', s.session('sub_old', 'starter', 'paid'));
    await s.send('checkout.session.completed', s.session('sub_new', 'pro', 'paid'));
    await s.send('customer.subscription.deleted', s.subscription('sub_old', 'canceled', 'price_starter'));
    expect(await s.billing()).toEqual({ plan: 'pro', subscription_status: 'active', stripe_subscription_id: 'sub_new' });

    await s.send('customer.subscription.deleted', s.subscription('sub_new', 'canceled'));
    expect(await s.billing()).toEqual({ plan: 'free', subscription_status: 'canceled', stripe_subscription_id: null });
  });

  it('with no current subscription, an active subscription of the customer is adopted; an incomplete one is not', async () => {
    const s = await subscriber();
    await s.send('checkout.session.completed', s.session('sub_first', 'starter', 'paid'));
    await s.send('customer.subscription.deleted', s.subscription('sub_first', 'canceled', 'price_starter'));
    expect(await s.billing()).toEqual({ plan: 'free', subscription_status: 'canceled', stripe_subscription_id: null });

    await s.send('customer.subscription.updated', s.subscription('sub_pending', 'incomplete'));
    expect(await s.billing()).toEqual({ plan: 'free', subscription_status: 'canceled', stripe_subscription_id: null });

    await s.send('customer.subscription.updated', s.subscription('sub_second', 'active', 'price_scale'));
    expect(await s.billing()).toEqual({ plan: 'scale', subscription_status: 'active', stripe_subscription_id: 'sub_second' });
  });
});

describe('a subscribed account cannot open a second Checkout', () => {
  it.each(['active', 'trialing', 'past_due'])('refuses while the subscription is %s and points to the Customer Portal', async (status) => {
    const s = await subscriber();
    await s.send('checkout.session.completed', s.session('sub_1', 'pro', 'paid'));
    if (status !== 'active') await s.send('customer.subscription.updated', s.subscription('sub_1', status));
    expect((await s.billing()).subscription_status).toBe(status);
    const before = fakeStripe.requests.length;

    const res = await call(checkout.POST, 'POST', '/api/billing/checkout', { token: s.account.accessToken, body: { plan: 'scale' } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ detail: 'This account already has a subscription. Change or cancel it in the Customer Portal (POST /api/billing/portal) instead of starting a second Checkout.' });
    expect(fakeStripe.requests.length).toBe(before);

    const portalRes = await call(portal.POST, 'POST', '/api/billing/portal', { token: s.account.accessToken });
    expect(portalRes.status).toBe(200);
  });

  it('allows Checkout again once the subscription has ended', async () => {
    const s = await subscriber();
    await s.send('checkout.session.completed', s.session('sub_1', 'pro', 'paid'));
    await s.send('customer.subscription.deleted', s.subscription('sub_1', 'canceled'));
    const res = await call(checkout.POST, 'POST', '/api/billing/checkout', { token: s.account.accessToken, body: { plan: 'pro' } });
    expect(res.status).toBe(200);
    expect(fakeStripe.requests.at(-1)!.form.get('customer')).toBe(s.customer);
  });
});

describe('Checkout upgrades only once the payment has gone through', () => {
  it("an 'unpaid' session waits for async_payment_succeeded", async () => {
    const s = await subscriber();
    await s.send('checkout.session.completed', s.session('sub_1', 'pro', 'unpaid'));
    expect(await s.billing()).toEqual({ plan: 'free', subscription_status: null, stripe_subscription_id: null });

    await s.send('checkout.session.async_payment_succeeded', s.session('sub_1', 'pro', 'paid'));
    expect(await s.billing()).toEqual({ plan: 'pro', subscription_status: 'active', stripe_subscription_id: 'sub_1' });
  });

  it('async_payment_failed leaves the plan unchanged', async () => {
    const s = await subscriber();
    await s.send('checkout.session.completed', s.session('sub_1', 'pro', 'unpaid'));
    await s.send('checkout.session.async_payment_failed', s.session('sub_1', 'pro', 'unpaid'));
    expect(await s.billing()).toEqual({ plan: 'free', subscription_status: null, stripe_subscription_id: null });
    const checkoutAgain = await call(checkout.POST, 'POST', '/api/billing/checkout', { token: s.account.accessToken, body: { plan: 'pro' } });
    expect(checkoutAgain.status).toBe(200);
  });

  it("'no_payment_required' (a free trial or a 100% coupon) upgrades at once", async () => {
    const s = await subscriber();
    await s.send('checkout.session.completed', s.session('sub_1', 'starter', 'no_payment_required'));
    expect(await s.billing()).toEqual({ plan: 'starter', subscription_status: 'active', stripe_subscription_id: 'sub_1' });
  });
});

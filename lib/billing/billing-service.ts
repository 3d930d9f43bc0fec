import type { Ctx } from '@/lib/core/context';
import { queryOne } from '@/lib/db';
import { ApiError } from '@/lib/errors';
import { PLANS } from './plans';
import { BILLED_STATUSES, type PaidPlan } from './stripe';

async function billingRow(ctx: Ctx) {
  return (await queryOne<{ stripe_customer_id: string | null; stripe_subscription_id: string | null; subscription_status: string | null; plan: string }>(
    ctx.db,
    'select stripe_customer_id, stripe_subscription_id, subscription_status, plan from accounts where id = $1',
    [ctx.account.id],
  ))!;
}

const returnUrl = (ctx: Ctx, origin: string) => `${ctx.env.APP_URL ?? origin}/dashboard/billing`;

/** The plan catalog, the account's plan and subscription, and whether upgrades are possible here. */
export async function getBilling({ ctx }: { ctx: Ctx }) {
  const row = await billingRow(ctx);
  return { plan: row.plan, subscriptionStatus: row.subscription_status, billingEnabled: ctx.billing.enabled, hasCustomer: Boolean(row.stripe_customer_id), plans: Object.values(PLANS) };
}

export async function startCheckout({ ctx, input }: { ctx: Ctx; input: { plan: PaidPlan; origin: string } }) {
  const row = await billingRow(ctx);
  // A second Checkout while Stripe still bills the current subscription would bill the customer twice.
  if (row.stripe_subscription_id && BILLED_STATUSES.has(row.subscription_status ?? '')) {
    throw new ApiError('bad_request', 'This account already has a subscription. Change or cancel it in the Customer Portal (POST /api/billing/portal) instead of starting a second Checkout.');
  }
  const email = ctx.caller.type === 'session' ? ctx.caller.email : '';
  return { url: await ctx.billing.createCheckout({ accountId: ctx.account.id, email, customerId: row.stripe_customer_id, plan: input.plan, returnUrl: returnUrl(ctx, input.origin) }) };
}

export async function openPortal({ ctx, input }: { ctx: Ctx; input: { origin: string } }) {
  const row = await billingRow(ctx);
  return { url: await ctx.billing.createPortal({ customerId: row.stripe_customer_id, returnUrl: returnUrl(ctx, input.origin) }) };
}

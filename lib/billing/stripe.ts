import Stripe from 'stripe';
import type { Db } from '@/lib/db';
import type { Env } from '@/lib/env';
import { ApiError } from '@/lib/errors';
import type { PlanId } from './plans';

export type PaidPlan = Extract<PlanId, 'starter' | 'pro' | 'scale'>;

export interface Billing {
  readonly enabled: boolean;
  createCheckout(input: { accountId: string; email: string; customerId: string | null; plan: PaidPlan; returnUrl: string }): Promise<string>;
  createPortal(input: { customerId: string | null; returnUrl: string }): Promise<string>;
  /** Verifies the signature and applies the event to the account's plan, once. */
  handleWebhook(db: Db, rawBody: string, signature: string | null): Promise<{ received: true; duplicate: boolean; type: string }>;
}

const notConfigured = () =>
  new ApiError('bad_request', 'Billing is not enabled on this deployment. Set STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET and the STRIPE_PRICE_* variables to sell plans.');

export function createDisabledBilling(): Billing {
  return {
    enabled: false,
    createCheckout: async () => Promise.reject(notConfigured()),
    createPortal: async () => Promise.reject(notConfigured()),
    handleWebhook: async () => Promise.reject(notConfigured()),
  };
}

interface AccountPatch {
  plan?: PlanId;
  status?: string;
  customerId?: string;
  subscriptionId?: string | null;
}

/**
 * Which account a patch applies to. With `subscriptionId`, only when it is the account's current subscription, or
 * (with `adoptIfNone`) when the account has none: a customer's other or older subscriptions never move the plan.
 */
interface PatchTarget {
  accountId?: string;
  customerId?: string;
  subscriptionId?: string;
  adoptIfNone?: boolean;
}

/** Applies a patch unless a newer event already did (events can arrive out of order). */
async function applyPatch(db: Db, where: PatchTarget, patch: AccountPatch, eventTime: Date): Promise<string | null> {
  const rows = await db.query<{ id: string }>(
    `update accounts set
       plan = coalesce($3, plan),
       subscription_status = coalesce($4, subscription_status),
       stripe_customer_id = coalesce($5, stripe_customer_id),
       stripe_subscription_id = case when $7 then $6 else stripe_subscription_id end,
       billing_updated_at = $8
     where (id = $1::uuid or stripe_customer_id = $2)
       and ($9::text is null or stripe_subscription_id = $9 or ($10::boolean and stripe_subscription_id is null))
       and (billing_updated_at is null or billing_updated_at <= $8)
     returning id`,
    [
      where.accountId ?? null, where.customerId ?? null,
      patch.plan ?? null, patch.status ?? null, patch.customerId ?? null, patch.subscriptionId ?? null, patch.subscriptionId !== undefined, eventTime,
      where.subscriptionId ?? null, where.adoptIfNone ?? false,
    ],
  );
  return rows[0]?.id ?? null;
}

/** Links the paying customer to the account before its payment clears, so the Portal works; the plan waits. */
async function linkCustomer(db: Db, accountId: string | undefined, customerId: string | undefined): Promise<string | null> {
  if (!accountId) return null;
  const rows = await db.query<{ id: string }>('update accounts set stripe_customer_id = coalesce(stripe_customer_id, $2) where id = $1::uuid returning id', [accountId, customerId ?? null]);
  return rows[0]?.id ?? null;
}

const ENDED = new Set(['canceled', 'unpaid', 'incomplete_expired']);
/** Statuses under which Stripe bills the subscription and its plan is served (past_due: while Stripe retries the payment). */
export const BILLED_STATUSES: ReadonlySet<string> = new Set(['active', 'trialing', 'past_due']);
/** Statuses that let an account without a current subscription take this one as current. */
const ADOPTABLE = new Set(['active', 'trialing']);
/** Checkout sessions whose money is in: anything else ('unpaid') waits for async_payment_succeeded. */
const SETTLED = new Set(['paid', 'no_payment_required']);

/** The fields of checkout sessions, subscriptions and invoices this handler reads. */
interface EventObject {
  id?: string;
  customer?: string | null;
  subscription?: string | null;
  client_reference_id?: string | null;
  metadata?: Record<string, string> | null;
  status?: string;
  payment_status?: string;
  items?: { data?: { price?: { id?: string } }[] };
  /** Invoices on API versions from 2025-03 name their subscription here rather than in `subscription`. */
  parent?: { subscription_details?: { subscription?: string | null } | null } | null;
}

const idOf = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export function createStripeBilling(env: Env): Billing {
  const base = env.STRIPE_API_BASE ? new URL(env.STRIPE_API_BASE) : undefined;
  const stripe = new Stripe(env.STRIPE_SECRET_KEY!, {
    ...(base ? { host: base.hostname, port: base.port || undefined, protocol: base.protocol.replace(':', '') as 'http' | 'https' } : {}),
    maxNetworkRetries: 2,
    timeout: 20_000,
  });
  const prices: Record<PaidPlan, string | undefined> = { starter: env.STRIPE_PRICE_STARTER, pro: env.STRIPE_PRICE_PRO, scale: env.STRIPE_PRICE_SCALE };
  const planOfPrice = (priceId: string | undefined): PaidPlan | undefined => (Object.entries(prices) as [PaidPlan, string | undefined][]).find(([, id]) => id && id === priceId)?.[0];

  return {
    enabled: true,
    async createCheckout({ accountId, email, customerId, plan, returnUrl }) {
      const price = prices[plan];
      if (!price) throw new ApiError('bad_request', `The ${plan} plan has no Stripe price: set STRIPE_PRICE_${plan.toUpperCase()}.`);
      const session = await stripe.checkout.sessions.create({
        mode: 'subscription',
        line_items: [{ price, quantity: 1 }],
        client_reference_id: accountId,
        ...(customerId ? { customer: customerId } : { customer_email: email }),
        metadata: { account_id: accountId, plan },
        subscription_data: { metadata: { account_id: accountId, plan } },
        success_url: `${returnUrl}?checkout=success`,
        cancel_url: `${returnUrl}?checkout=cancelled`,
      });
      return session.url!;
    },
    async createPortal({ customerId, returnUrl }) {
      if (!customerId) throw new ApiError('bad_request', 'No subscription yet: choose a plan first.');
      const session = await stripe.billingPortal.sessions.create({ customer: customerId, return_url: returnUrl });
      return session.url;
    },
    async handleWebhook(db, rawBody, signature) {
      let event: Stripe.Event;
      try {
        event = stripe.webhooks.constructEvent(rawBody, signature ?? '', env.STRIPE_WEBHOOK_SECRET!);
      } catch (error) {
        throw new ApiError('bad_request', 'Invalid Stripe signature', { cause: error });
      }
      const eventTime = new Date(event.created * 1000);
      return db.transaction(async (tx) => {
        const fresh = await tx.query('insert into stripe_events (id, type, created_at) values ($1, $2, $3) on conflict (id) do nothing returning id', [event.id, event.type, eventTime]);
        if (fresh.length === 0) return { received: true as const, duplicate: true, type: event.type };
        let accountId: string | null = null;
        const object = event.data.object as unknown as EventObject;
        switch (event.type) {
          case 'checkout.session.completed':
          case 'checkout.session.async_payment_succeeded': {
            const account = object.client_reference_id ?? object.metadata?.account_id ?? undefined;
            if (!SETTLED.has(object.payment_status ?? '')) {
              accountId = await linkCustomer(tx, account, idOf(object.customer));
              break;
            }
            const plan = object.metadata?.plan as PaidPlan | undefined;
            accountId = await applyPatch(tx, { accountId: account }, {
              plan: plan && prices[plan] !== undefined ? plan : undefined,
              status: 'active',
              customerId: idOf(object.customer),
              subscriptionId: idOf(object.subscription) ?? null,
            }, eventTime);
            break;
          }
          case 'customer.subscription.updated': {
            if (!object.id || !object.customer) break;
            const status = object.status ?? '';
            const ended = ENDED.has(status);
            const plan = ended ? 'free' : BILLED_STATUSES.has(status) ? planOfPrice(object.items?.data?.[0]?.price?.id) : undefined;
            accountId = await applyPatch(
              tx,
              { customerId: object.customer, subscriptionId: object.id, adoptIfNone: ADOPTABLE.has(status) },
              { plan, status, subscriptionId: ended ? null : object.id },
              eventTime,
            );
            break;
          }
          case 'customer.subscription.deleted':
            if (!object.id || !object.customer) break;
            accountId = await applyPatch(tx, { customerId: object.customer, subscriptionId: object.id }, { plan: 'free', status: 'canceled', subscriptionId: null }, eventTime);
            break;
          case 'invoice.payment_failed': {
            if (!object.customer) break;
            const subscriptionId = idOf(object.subscription) ?? idOf(object.parent?.subscription_details?.subscription);
            accountId = await applyPatch(tx, { customerId: object.customer, subscriptionId }, { status: 'past_due' }, eventTime);
            break;
          }
          // checkout.session.async_payment_failed: the plan stays as it was; the event is only recorded.
          default:
            break;
        }
        if (accountId) await tx.query('update stripe_events set account_id = $2 where id = $1', [event.id, accountId]);
        return { received: true as const, duplicate: false, type: event.type };
      });
    },
  };
}

export function createBilling(env: Env): Billing {
  return env.STRIPE_SECRET_KEY ? createStripeBilling(env) : createDisabledBilling();
}

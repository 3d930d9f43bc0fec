'use client';
import { useEffect, useState } from 'react';
import { Alert, Button, Card, Spinner } from '@/components/ui/primitives';
import { useApi } from './use-api';
import type { BillingResponseT } from '@/lib/schemas/dashboard';

type Billing = BillingResponseT;
type Plan = Billing['plans'][number];

const amount = (value: number | null, unit = '') => (value === null ? 'Unlimited' : `${value.toLocaleString()}${unit}`);
const price = (plan: Plan) => (plan.priceMonthlyUsd === null ? 'Contact us' : plan.priceMonthlyUsd === 0 ? 'Free' : `$${plan.priceMonthlyUsd}/mo`);

export function BillingPage() {
  const api = useApi();
  const [billing, setBilling] = useState<Billing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  useEffect(() => {
    api<Billing>('/api/dashboard/billing').then(setBilling, (e: Error) => setError(e.message));
  }, [api]);

  async function go(path: string, body: unknown, key: string) {
    setBusy(key);
    setError(null);
    try {
      const { url } = await api<{ url: string }>(path, { method: 'POST', body });
      window.location.href = url;
    } catch (e) {
      setError((e as Error).message);
      setBusy(null);
    }
  }

  if (!billing) return error ? <Alert>{error}</Alert> : <Spinner />;
  return (
    <div className="max-w-5xl space-y-6">
      <header className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">Billing</h1>
          <p className="mt-1 text-sm text-slate-600">
            Current plan: <span className="font-medium" data-testid="billing-current-plan">{billing.plans.find((p) => p.id === billing.plan)?.name ?? billing.plan}</span>
            {billing.subscriptionStatus && <> · subscription {billing.subscriptionStatus}</>}
          </p>
        </div>
        {billing.billingEnabled && billing.hasCustomer && (
          <Button variant="secondary" disabled={busy !== null} onClick={() => go('/api/billing/portal', {}, 'portal')}>Manage subscription</Button>
        )}
      </header>
      {!billing.billingEnabled && (
        <Alert tone="info" testId="billing-disabled">
          Upgrades are disabled on this deployment: Stripe is not configured (set STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET and the STRIPE_PRICE_* variables). Self-hosted accounts can be given any plan with DEFAULT_PLAN.
        </Alert>
      )}
      {billing.subscriptionStatus === 'past_due' && <Alert tone="warning">Your last payment failed. Update your card in “Manage subscription” to keep your plan.</Alert>}
      {error && <Alert>{error}</Alert>}
      <div className="grid gap-4 md:grid-cols-2 lg:grid-cols-4">
        {billing.plans.filter((plan) => plan.id !== 'scale' || billing.plan === 'scale').map((plan) => {
          const current = plan.id === billing.plan;
          const purchasable = ['starter', 'pro', 'scale'].includes(plan.id);
          return (
            <Card key={plan.id} className={current ? 'ring-2 ring-brand-500' : ''}>
              <div data-testid={`plan-${plan.id}`}>
                <h2 className="font-semibold">{plan.name}</h2>
                <p className="mt-1 text-2xl font-bold">{price(plan)}</p>
                <ul className="mt-3 space-y-1 text-sm text-slate-600">
                  <li>{amount(plan.memories)} memories</li>
                  <li>{plan.searches ? `${plan.searches.limit.toLocaleString()} searches / ${plan.searches.period}` : 'Unlimited searches'}</li>
                  <li>{amount(plan.tokensPerMonth)} LLM tokens / month</li>
                  <li>{amount(plan.requestsPerMinute)} requests / minute</li>
                </ul>
                <div className="mt-4">
                  {current ? (
                    <span className="text-sm font-medium text-brand-700">Your plan</span>
                  ) : purchasable ? (
                    <Button disabled={!billing.billingEnabled || busy !== null} onClick={() => go('/api/billing/checkout', { plan: plan.id }, plan.id)} data-testid={`upgrade-${plan.id}`}>
                      {busy === plan.id ? 'Redirecting…' : `Choose ${plan.name}`}
                    </Button>
                  ) : plan.id === 'enterprise' ? (
                    <a className="text-sm font-medium text-brand-600 hover:underline" href="mailto:sales@memorylayer.tech">Contact sales</a>
                  ) : null}
                </div>
              </div>
            </Card>
          );
        })}
      </div>
    </div>
  );
}

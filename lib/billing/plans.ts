// One plan catalog for both references. Where they differ or are silent the choice is documented in the README.
export type PlanId = 'free' | 'starter' | 'pro' | 'scale' | 'enterprise';

export interface Plan {
  id: PlanId;
  name: string;
  priceMonthlyUsd: number | null;
  memories: number | null;
  searches: { limit: number; period: 'day' | 'month' } | null;
  tokensPerMonth: number | null;
  requestsPerMinute: number | null;
  storageLimitMb: number | null;
}

export const PLANS: Record<PlanId, Plan> = {
  free: { id: 'free', name: 'Free', priceMonthlyUsd: 0, memories: 1_000, searches: { limit: 100, period: 'day' }, tokensPerMonth: 100_000, requestsPerMinute: 30, storageLimitMb: 100 },
  starter: { id: 'starter', name: 'Starter', priceMonthlyUsd: 9, memories: 100_000, searches: { limit: 1_000, period: 'month' }, tokensPerMonth: 1_000_000, requestsPerMinute: 60, storageLimitMb: 1_024 },
  pro: { id: 'pro', name: 'Pro', priceMonthlyUsd: 49, memories: 1_000_000, searches: { limit: 10_000, period: 'month' }, tokensPerMonth: 10_000_000, requestsPerMinute: 120, storageLimitMb: 2_048 },
  scale: { id: 'scale', name: 'Scale', priceMonthlyUsd: null, memories: 10_000_000, searches: { limit: 100_000, period: 'month' }, tokensPerMonth: 100_000_000, requestsPerMinute: 10_000, storageLimitMb: 20_480 },
  enterprise: { id: 'enterprise', name: 'Enterprise', priceMonthlyUsd: null, memories: null, searches: null, tokensPerMonth: null, requestsPerMinute: null, storageLimitMb: null },
};

export function planOf(id: string): Plan {
  return PLANS[id as PlanId] ?? PLANS.free;
}

import type { Ctx } from '@/lib/core/context';
import { planOf } from '@/lib/billing/plans';
import { ApiError } from '@/lib/errors';
import { describeError, log } from '@/lib/log';
import type { Services } from '@/lib/services';

/**
 * The account's per-minute limit is the plan's; each key (or dashboard user) gets the same share, so one key cannot
 * starve others. Returns the X-RateLimit-* headers; throws 429 with Retry-After when over.
 */
export async function applyRateLimit(services: Services, ctx: Ctx): Promise<Record<string, string>> {
  const perMinute = planOf(ctx.account.plan).requestsPerMinute;
  if (perMinute === null) return {};
  const callerKey = ctx.caller.type === 'apiKey' ? `key:${ctx.caller.keyId}` : ctx.caller.type === 'session' ? `user:${ctx.caller.userId}` : `system:${ctx.caller.name}`;
  let decisions;
  try {
    decisions = await Promise.all([services.rateLimiter.limit(callerKey, perMinute), services.rateLimiter.limit(`account:${ctx.account.id}`, perMinute)]);
  } catch (error) {
    // Fail open: an unreachable limiter store must not take the API down (quotas in Postgres still hold).
    log.warn('rate limiter unavailable; request allowed', { requestId: ctx.requestId, ...describeError(error) });
    return {};
  }
  const tightest = decisions.reduce((a, b) => (b.remaining < a.remaining || !b.allowed ? b : a));
  const headers = {
    'X-RateLimit-Limit': String(tightest.limit),
    'X-RateLimit-Remaining': String(decisions.every((d) => d.allowed) ? tightest.remaining : 0),
    'X-RateLimit-Reset': String(Math.ceil(tightest.reset / 1000)),
  };
  const refused = decisions.find((decision) => !decision.allowed);
  if (refused) {
    throw new ApiError('rate_limited', 'Rate limit exceeded. Upgrade your plan or wait.', { headers: { ...headers, 'Retry-After': String(refused.retryAfterSeconds) } });
  }
  return headers;
}

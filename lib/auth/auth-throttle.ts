import type { Services } from '@/lib/services';
import { GoTrueError } from './gotrue-error';

// Per-minute limits of the unauthenticated auth endpoints. Every bucket is its own (sign-in, sign-up, reset emails,
// resets), so filling one, e.g. by asking for reset emails, never locks anyone out of another, e.g. signing in.
export const SIGN_IN_ATTEMPTS_PER_EMAIL = 10;
export const SIGN_IN_ATTEMPTS_PER_CLIENT = 30;
export const SIGN_UPS_PER_EMAIL = 5;
// Sign-ups per client address: SIGNUPS_PER_CLIENT_PER_MINUTE (default 10).
/** Reset emails one inbox can receive a minute (mail bombing), and requests one address may make. */
export const RESET_EMAILS_PER_EMAIL = 3;
export const RESET_REQUESTS_PER_CLIENT = 10;
export const RESET_ATTEMPTS_PER_TOKEN = 5;
export const RESET_ATTEMPTS_PER_CLIENT = 10;

type Bucket = readonly [key: string, limit: number];

/** Counts one request in each bucket (null: no client address to key on) and refuses with 429 if any is full. */
export async function throttle(services: Services, buckets: (Bucket | null)[], refusal: GoTrueError): Promise<void> {
  const decisions = await Promise.all(buckets.filter((bucket) => bucket !== null).map(([key, limit]) => services.rateLimiter.limit(key, limit)));
  if (decisions.some((decision) => !decision.allowed)) throw refusal;
}

export const tooManyRequests = (what: string) => new GoTrueError(429, 'over_request_rate_limit', `Too many ${what}. Wait a minute and try again.`);

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
/** Confirmation mails an email can be sent a minute, sign-up and resend together (GoTrue's SMTP max frequency: 60 s). */
export const CONFIRMATION_MAILS_PER_EMAIL = 1;

type Bucket = readonly [key: string, limit: number];

/** Counts one request in each bucket (null: no client address to key on) and refuses with 429 if any is full. */
export async function throttle(services: Services, buckets: (Bucket | null)[], refusal: GoTrueError): Promise<void> {
  const decisions = await Promise.all(buckets.filter((bucket) => bucket !== null).map(([key, limit]) => services.rateLimiter.limit(key, limit)));
  if (decisions.some((decision) => !decision.allowed)) throw refusal;
}

export const tooManyRequests = (what: string) => new GoTrueError(429, 'over_request_rate_limit', `Too many ${what}. Wait a minute and try again.`);

/**
 * One confirmation mail per email a minute, across sign-up and resend. Every sign-up (with a mail transport) and every
 * resend of the email counts, whether it is new, waiting, registered or unknown, so a refusal tells nothing about it.
 * Refused as GoTrue refuses a mail inside its SMTP max frequency. The limiter's sliding window weighs the previous
 * minute's one mail as 0 (rounded down), so this is one per limiter minute: two can come a few seconds apart across
 * a minute boundary, never three in 60 s. It is the throttle store every instance shares (Upstash when configured).
 */
export async function claimConfirmationMail(services: Services, email: string): Promise<void> {
  const decision = await services.rateLimiter.limit(`confirmation-mail:email:${email}`, CONFIRMATION_MAILS_PER_EMAIL);
  if (!decision.allowed) {
    throw new GoTrueError(429, 'over_email_send_rate_limit', `For security purposes, you can only request this after ${decision.retryAfterSeconds} seconds.`);
  }
}

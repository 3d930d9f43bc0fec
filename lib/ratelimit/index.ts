import type { Env } from '@/lib/env';
import { createMemoryRateLimiter } from './memory';
import { createUpstashRateLimiter } from './upstash';

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Unix time in milliseconds when the window frees up. */
  reset: number;
  /** Seconds until a refused request may succeed, by the limiter's own clock. */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  /** Counts one request against `key` under a limit of `limit` per minute. */
  limit(key: string, limit: number): Promise<RateLimitDecision>;
}

/** Upstash when configured (shared across instances), else an in-process window (one instance). */
export function createRateLimiter(env: Env): RateLimiter {
  if (env.UPSTASH_REDIS_REST_URL && env.UPSTASH_REDIS_REST_TOKEN) {
    return createUpstashRateLimiter({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN });
  }
  return createMemoryRateLimiter();
}

import type { Env } from '@/lib/env';
import { createMemoryRateLimiter } from './memory';

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Unix time in milliseconds when the window frees up. */
  reset: number;
}

export interface RateLimiter {
  /** Counts one request against `key` under a limit of `limit` per minute. */
  limit(key: string, limit: number): Promise<RateLimitDecision>;
}

export function createRateLimiter(env: Env): RateLimiter {
  void env; // Upstash is chosen here once its variables are set (issue 6)
  return createMemoryRateLimiter();
}

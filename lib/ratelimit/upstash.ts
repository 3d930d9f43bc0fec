import { Ratelimit } from '@upstash/ratelimit';
import { Redis } from '@upstash/redis';
import type { RateLimiter } from '@/lib/ratelimit';

/** Upstash Redis sliding window (shared by every instance), one limiter per distinct per-minute limit. */
export function createUpstashRateLimiter(options: { url: string; token: string }): RateLimiter {
  const redis = new Redis({ url: options.url, token: options.token, enableTelemetry: false });
  const limiters = new Map<number, Ratelimit>();
  return {
    async limit(key, limit) {
      let limiter = limiters.get(limit);
      if (!limiter) {
        limiter = new Ratelimit({ redis, limiter: Ratelimit.slidingWindow(limit, '1 m'), prefix: `memory-layer:rl:${limit}`, analytics: false });
        limiters.set(limit, limiter);
      }
      const result = await limiter.limit(key);
      return {
        allowed: result.success,
        limit: result.limit,
        remaining: result.remaining,
        reset: result.reset,
        retryAfterSeconds: Math.max(1, Math.ceil((result.reset - Date.now()) / 1000)),
      };
    },
  };
}

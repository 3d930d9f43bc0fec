import type { RateLimitDecision, RateLimiter } from '@/lib/ratelimit';

const WINDOW_MS = 60_000;

/**
 * In-process sliding window (the embedded default; one instance). Uses the same approximation as
 * @upstash/ratelimit's slidingWindow: the previous window's count weighted by how much of it still overlaps.
 */
export function createMemoryRateLimiter(now: () => number = Date.now): RateLimiter {
  const windows = new Map<string, { start: number; current: number; previous: number }>();
  return {
    async limit(key, limit): Promise<RateLimitDecision> {
      const time = now();
      const start = Math.floor(time / WINDOW_MS) * WINDOW_MS;
      let entry = windows.get(key);
      if (!entry || entry.start < start - WINDOW_MS) entry = { start, current: 0, previous: 0 };
      else if (entry.start < start) entry = { start, current: 0, previous: entry.current };
      windows.set(key, entry);
      const overlap = 1 - (time - start) / WINDOW_MS;
      const used = Math.floor(entry.previous * overlap) + entry.current;
      const reset = start + WINDOW_MS;
      const retryAfterSeconds = Math.max(1, Math.ceil((reset - time) / 1000));
      if (used >= limit) return { allowed: false, limit, remaining: 0, reset, retryAfterSeconds };
      entry.current += 1;
      return { allowed: true, limit, remaining: Math.max(0, limit - used - 1), reset, retryAfterSeconds };
    },
  };
}

import type { RateLimitDecision, RateLimiter } from '@/lib/ratelimit';

const WINDOW_MS = 60_000;
/** Keys held at most; past it the least recently used go first (a flood of new keys costs memory, not the process). */
const DEFAULT_MAX_KEYS = 100_000;

interface Window {
  start: number;
  current: number;
  previous: number;
}

/**
 * In-process sliding window (the embedded default; one instance). Uses the same approximation as
 * @upstash/ratelimit's slidingWindow: the previous window's count weighted by how much of it still overlaps.
 * The map is kept in order of last use, so expired windows sit at its front and are dropped as time moves on.
 */
export function createMemoryRateLimiter(now: () => number = Date.now, options: { maxKeys?: number } = {}): RateLimiter & { readonly size: number } {
  const maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
  const windows = new Map<string, Window>();

  function evict(start: number) {
    // A window older than the previous one no longer counts; entries are in last-use order, so stop at the first live one.
    for (const [key, entry] of windows) {
      if (entry.start >= start - WINDOW_MS && windows.size < maxKeys) break;
      windows.delete(key);
    }
  }

  return {
    get size() {
      return windows.size;
    },
    async limit(key, limit): Promise<RateLimitDecision> {
      const time = now();
      const start = Math.floor(time / WINDOW_MS) * WINDOW_MS;
      let entry = windows.get(key);
      windows.delete(key);
      evict(start);
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

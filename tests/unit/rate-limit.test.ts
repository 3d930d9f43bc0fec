import { describe, expect, it } from 'vitest';
import { createMemoryRateLimiter } from '@/lib/ratelimit/memory';

describe('in-process sliding window', () => {
  it('allows the limit per minute, then refuses, then frees up as the window slides', async () => {
    let now = 60_000 * 100;
    const limiter = createMemoryRateLimiter(() => now);
    for (let i = 0; i < 3; i++) expect((await limiter.limit('k', 3)).allowed).toBe(true);
    const refused = await limiter.limit('k', 3);
    expect(refused).toMatchObject({ allowed: false, remaining: 0, limit: 3, reset: 60_000 * 101 });
    expect((await limiter.limit('other', 3)).allowed).toBe(true);
    now += 60_000 + 30_000; // half of the previous window still counts: floor(3 * 0.5) = 1 used
    expect((await limiter.limit('k', 3)).remaining).toBe(1);
    now += 60_000;
    expect((await limiter.limit('k', 3)).remaining).toBe(2);
  });
});

describe('in-process sliding window memory', () => {
  it('forgets windows that have expired, so many distinct keys do not grow the map without end', async () => {
    let now = 60_000 * 100;
    const limiter = createMemoryRateLimiter(() => now);
    for (let minute = 0; minute < 10; minute++) {
      for (let i = 0; i < 1000; i++) await limiter.limit(`minute-${minute}-key-${i}`, 5);
      // At most this minute's keys and the previous minute's (whose counts still weigh in the sliding window).
      expect(limiter.size).toBeLessThanOrEqual(2000);
      now += 60_000;
    }
    expect(limiter.size).toBeGreaterThan(0);
  });

  it('keeps a key that is still in use while others expire', async () => {
    let now = 60_000 * 100 + 30_000;
    const limiter = createMemoryRateLimiter(() => now);
    for (let i = 0; i < 3; i++) await limiter.limit('busy', 3);
    await limiter.limit('idle', 3);
    now += 60_000;
    expect((await limiter.limit('busy', 3)).remaining).toBe(1); // half of the previous minute's 3, rounded down, counts
    now += 60_000; // 'idle' has not been seen for two windows; 'busy' was seen in the previous one
    await limiter.limit('other', 3);
    expect(limiter.size).toBe(2);
    expect((await limiter.limit('busy', 3)).remaining).toBe(2); // floor(1 * 0.5) = 0 carried over, plus this request
  });

  it('holds at most maxKeys within one window, dropping the least recently used', async () => {
    const now = 60_000 * 100;
    const limiter = createMemoryRateLimiter(() => now, { maxKeys: 100 });
    for (let i = 0; i < 3; i++) await limiter.limit('victim', 3);
    for (let i = 0; i < 1000; i++) {
      await limiter.limit(`flood-${i}`, 3);
      if (i % 50 === 0) expect((await limiter.limit('victim', 3)).allowed).toBe(false); // used recently: never dropped
    }
    expect(limiter.size).toBeLessThanOrEqual(100);
  });
});

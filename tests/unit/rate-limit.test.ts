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

import { describe, expect, it } from 'vitest';
import { combinedScore, importanceAfterAccesses } from '@/lib/memory/records/importance';

describe('importance', () => {
  it('starts at the base and rises with accesses, never above 1', () => {
    expect(importanceAfterAccesses(0.5, 0)).toBe(0.5);
    expect(importanceAfterAccesses(0.5, 10)).toBeCloseTo(0.5906, 3);
    expect(importanceAfterAccesses(0.5, 50)).toBeCloseTo(0.8161, 3);
    expect(importanceAfterAccesses(0.5, 1_000)).toBeLessThanOrEqual(1);
    let previous = 0;
    for (let n = 0; n < 50; n++) {
      const value = importanceAfterAccesses(0.3, n);
      expect(value).toBeGreaterThanOrEqual(previous);
      previous = value;
    }
  });

  it('combined score is 70% similarity + 30% importance', () => {
    expect(combinedScore(0.9, 0.5)).toBeCloseTo(0.78, 10);
  });
});

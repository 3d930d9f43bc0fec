import { describe, expect, it } from 'vitest';
import { baseImportanceOf, combinedScore, importanceAfterUses } from '@/lib/memory/records/importance';

describe('importance', () => {
  it('starts at the base and rises with uses, never above 1', () => {
    expect(importanceAfterUses(0.5, 0)).toBe(0.5);
    expect(importanceAfterUses(0.5, 10)).toBeCloseTo(0.5906, 3);
    expect(importanceAfterUses(0.5, 50)).toBeCloseTo(0.8161, 3);
    expect(importanceAfterUses(0.5, 1_000)).toBeLessThanOrEqual(1);
    let previous = 0;
    for (let n = 0; n < 50; n++) {
      const value = importanceAfterUses(0.3, n);
      expect(value).toBeGreaterThanOrEqual(previous);
      previous = value;
    }
  });

  it('starts from what the memory is: facts about the user above small talk', () => {
    expect(baseImportanceOf('location')).toBe(0.7);
    expect(baseImportanceOf('preference')).toBe(0.6);
    expect(baseImportanceOf('general')).toBe(0.5);
    expect(baseImportanceOf(null)).toBe(0.5);
    expect(baseImportanceOf('unknown-category')).toBe(0.5);
  });

  it('combined score is 70% similarity + 30% importance', () => {
    expect(combinedScore(0.9, 0.5)).toBeCloseTo(0.78, 10);
  });
});

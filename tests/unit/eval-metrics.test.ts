import { describe, expect, it } from 'vitest';
import { score } from '@/bench/eval/metrics';

describe('evaluation metrics', () => {
  it('computes recall, hit and MRR over ranked turn ids', () => {
    const s = score([
      { category: 4, evidence: ['a'], ranked: [['x'], ['a']], latencyMs: 0 },
      { category: 1, evidence: ['b', 'c'], ranked: [['b'], ['y'], ['z']], latencyMs: 0 },
      { category: 4, evidence: [], ranked: [['a']], latencyMs: 0 },
    ]);
    expect(s.questions).toBe(2);
    expect(s.recall[1]).toBeCloseTo((0 + 0.5) / 2);
    expect(s.recall[5]).toBeCloseTo((1 + 0.5) / 2);
    expect(s.hit[1]).toBeCloseTo(0.5);
    expect(s.mrr).toBeCloseTo((1 / 2 + 1) / 2);
  });
});

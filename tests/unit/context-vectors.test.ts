import { describe, expect, it } from 'vitest';
import { contextVectors } from '@/lib/memory/ingest/ingest';
import { CONTEXT_BLEND } from '@/lib/memory/search/context-vector';

const unit = (...values: number[]) => values;

describe('context vectors for ingested turns', () => {
  it('blends a fact with the fact of the message before it and normalises', () => {
    const [first, second] = contextVectors([{ sourceIndex: 0 }, { sourceIndex: 1 }], [unit(1, 0), unit(0, 1)]);
    expect(first).toBeNull();
    const expected = [CONTEXT_BLEND, 1].map((v) => v / Math.hypot(CONTEXT_BLEND, 1));
    expect(second![0]).toBeCloseTo(expected[0]!, 10);
    expect(second![1]).toBeCloseTo(expected[1]!, 10);
    expect(Math.hypot(...second!)).toBeCloseTo(1, 10);
  });

  it('reaches over one message (an assistant turn) but not two, and never blends facts of the same message', () => {
    const vectors = contextVectors(
      [{ sourceIndex: 0 }, { sourceIndex: 2 }, { sourceIndex: 2 }, { sourceIndex: 5 }],
      [unit(1, 0), unit(0, 1), unit(0, 1), unit(1, 1)],
    );
    expect(vectors[1]).not.toBeNull();
    expect(vectors[2]).toEqual(vectors[1]);
    expect(vectors[3]).toBeNull();
  });

  it('takes the nearest earlier message when facts arrive out of order', () => {
    const vectors = contextVectors([{ sourceIndex: 3 }, { sourceIndex: 1 }, { sourceIndex: 2 }], [unit(0, 1), unit(-1, 0), unit(1, 0)]);
    // Fact from message 3 blends with message 2 (positive x), not message 1.
    expect(vectors[0]![0]).toBeGreaterThan(0);
    expect(vectors[1]).toBeNull();
  });
});

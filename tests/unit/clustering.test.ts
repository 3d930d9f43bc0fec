import { describe, expect, it } from 'vitest';
import { byCentrality, clusterByCentroid, cosine } from '@/lib/memory/maintenance/clustering';

const item = (id: string, embedding: number[]) => ({ id, embedding });

describe('clustering', () => {
  it('cosine', () => {
    expect(cosine([1, 0], [1, 0])).toBe(1);
    expect(cosine([1, 0], [0, 1])).toBe(0);
    expect(cosine([0, 0], [1, 1])).toBe(0);
  });
  it('groups similar items and separates different ones, deterministically', () => {
    const items = [item('a1', [1, 0.1, 0]), item('b1', [0, 1, 0.1]), item('a2', [0.9, 0.2, 0]), item('b2', [0.1, 0.9, 0]), item('c', [0, 0, 1])];
    const clusters = clusterByCentroid(items, 0.8).map((c) => c.map((m) => m.id));
    expect(clusters).toEqual([['a1', 'a2'], ['b1', 'b2'], ['c']]);
    expect(clusterByCentroid(items, 0.8)).toEqual(clusterByCentroid(items, 0.8));
  });
  it('caps cluster size', () => {
    const same = Array.from({ length: 5 }, (_, i) => item(String(i), [1, 0]));
    expect(clusterByCentroid(same, 0.5, 2).map((c) => c.length)).toEqual([2, 2, 1]);
  });
  it('orders by centrality', () => {
    const members = [item('edge', [1, 0]), item('middle', [0.7, 0.7]), item('other-edge', [0, 1])];
    expect(byCentrality(members)[0]!.id).toBe('middle');
  });
});

import { describe, expect, it } from 'vitest';
import { withBatchingAndCache } from '@/lib/embeddings/batching';
import type { Embedder } from '@/lib/embeddings/types';

function countingModel(fail?: string) {
  const calls: string[][] = [];
  const model: Embedder = {
    id: 'test:counting',
    dimensions: 1,
    async embed(texts) {
      calls.push(texts);
      if (texts.includes(fail ?? '\0')) throw new Error('model crashed');
      return texts.map((text) => [text.length]);
    },
  };
  return { model, calls };
}

describe('embedding batching', () => {
  it('sends the texts of calls made together as one model call, once per distinct text, and caches them', async () => {
    const { model, calls } = countingModel();
    const embedder = withBatchingAndCache(model);
    const results = await Promise.all([embedder.embed(['a']), embedder.embed(['bb', 'ccc']), embedder.embed(['a'])]);
    expect(results).toEqual([[[1]], [[2], [3]], [[1]]]);
    expect(calls).toEqual([['a', 'bb', 'ccc']]);
    expect(await embedder.embed(['ccc'])).toEqual([[3]]);
    expect(calls).toHaveLength(1);
  });

  it('a failed model call fails its callers and caches nothing', async () => {
    const { model, calls } = countingModel('boom');
    const embedder = withBatchingAndCache(model);
    await expect(embedder.embed(['boom'])).rejects.toThrow('model crashed');
    expect(await embedder.embed(['ok'])).toEqual([[2]]);
    await expect(embedder.embed(['boom'])).rejects.toThrow('model crashed');
    expect(calls).toEqual([['boom'], ['ok'], ['boom']]);
  });
});

import { describe, expect, it } from 'vitest';
import { withBatchingAndCache } from '@/lib/embeddings/batching';
import type { Embedder } from '@/lib/embeddings/types';

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A model whose calls finish only when the test says so. */
function controlledModel(parallelism: number) {
  const calls: { texts: string[]; finish: (error?: Error) => void }[] = [];
  const model: Embedder = {
    id: 'test:controlled',
    dimensions: 1,
    parallelism,
    embed: (texts) =>
      new Promise((resolve, reject) => {
        calls.push({ texts, finish: (error) => (error ? reject(error) : resolve(texts.map((text) => [text.length]))) });
      }),
  };
  return { model, calls };
}

describe('embedding batching', () => {
  it('holds what arrives while the model is busy and sends it as one batch when it is free', async () => {
    const { model, calls } = controlledModel(1);
    const embedder = withBatchingAndCache(model);
    const first = embedder.embed(['a']);
    await tick();
    expect(calls.map((c) => c.texts)).toEqual([['a']]);
    const waiting = [embedder.embed(['bb']), embedder.embed(['ccc']), embedder.embed(['bb'])];
    await tick();
    expect(calls).toHaveLength(1);
    calls[0]!.finish();
    expect(await first).toEqual([[1]]);
    await tick();
    expect(calls.map((c) => c.texts)).toEqual([['a'], ['bb', 'ccc']]);
    calls[1]!.finish();
    expect(await Promise.all(waiting)).toEqual([[[2]], [[3]], [[2]]]);
    // Cached now: no model call.
    expect(await embedder.embed(['ccc'])).toEqual([[3]]);
    expect(calls).toHaveLength(2);
  });

  it('keeps as many calls out as the model runs at once', async () => {
    const { model, calls } = controlledModel(2);
    const embedder = withBatchingAndCache(model);
    const one = embedder.embed(['x']);
    await tick();
    const two = embedder.embed(['yy']);
    await tick();
    const three = embedder.embed(['zzz']);
    await tick();
    expect(calls.map((c) => c.texts)).toEqual([['x'], ['yy']]);
    calls[1]!.finish();
    await two;
    await tick();
    expect(calls.map((c) => c.texts)).toEqual([['x'], ['yy'], ['zzz']]);
    calls[0]!.finish();
    calls[2]!.finish();
    expect(await Promise.all([one, three])).toEqual([[[1]], [[3]]]);
  });

  it('a failed model call fails its own callers only; the next batch still goes', async () => {
    const { model, calls } = controlledModel(1);
    const embedder = withBatchingAndCache(model);
    const failing = embedder.embed(['a']);
    await tick();
    const next = embedder.embed(['bb']);
    calls[0]!.finish(new Error('model crashed'));
    await expect(failing).rejects.toThrow('model crashed');
    await tick();
    calls[1]!.finish();
    expect(await next).toEqual([[2]]);
  });
});

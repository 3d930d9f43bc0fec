import type { Embedder } from './types';

interface Pending {
  text: string;
  resolve: (vector: number[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Coalesces concurrent embed calls into model calls of up to maxBatch texts, and caches recent single texts
 * (repeated queries skip the model). At most `inner.parallelism` model calls are out at once: what arrives while
 * the model is busy waits and goes in the next call as one batch. A batch costs less per text than single texts
 * (USE-lite: 12 ms for one, 7.5 ms each in a batch of 4 or more), so under load throughput rises instead of a
 * queue of one-text calls forming inside the model.
 */
export function withBatchingAndCache(inner: Embedder, options: { maxBatch?: number; cacheSize?: number } = {}): Embedder {
  const maxBatch = options.maxBatch ?? 64;
  const cacheSize = options.cacheSize ?? 2000;
  const cache = new Map<string, number[]>();
  const queue: Pending[] = [];
  const parallelism = Math.max(1, inner.parallelism ?? 1);
  let inFlight = 0;
  let scheduled = false;

  const remember = (text: string, vector: number[]) => {
    if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
    cache.set(text, vector);
  };

  const flush = async () => {
    scheduled = false;
    if (inFlight >= parallelism || queue.length === 0) return;
    const batch = queue.splice(0, maxBatch);
    inFlight += 1;
    if (queue.length > 0) schedule();
    const unique = [...new Set(batch.map((p) => p.text))];
    try {
      const vectors = await inner.embed(unique);
      const byText = new Map(unique.map((text, i) => [text, vectors[i]!]));
      for (const [text, vector] of byText) remember(text, vector);
      for (const pending of batch) pending.resolve(byText.get(pending.text)!);
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    } finally {
      inFlight -= 1;
      if (queue.length > 0) schedule();
    }
  };

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => void flush());
  };

  const embedOne = (text: string): Promise<number[]> => {
    const hit = cache.get(text);
    if (hit) {
      cache.delete(text);
      cache.set(text, hit);
      return Promise.resolve(hit);
    }
    return new Promise((resolve, reject) => {
      queue.push({ text, resolve, reject });
      schedule();
    });
  };

  return {
    id: inner.id,
    dimensions: inner.dimensions,
    parallelism,
    async embed(texts) {
      if (texts.length > maxBatch) return inner.embed(texts);
      return Promise.all(texts.map(embedOne));
    },
  };
}


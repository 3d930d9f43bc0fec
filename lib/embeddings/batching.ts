import type { Embedder } from './types';

interface Pending {
  text: string;
  resolve: (vector: number[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Coalesces concurrent embed calls made in the same tick into one model call (up to maxBatch texts),
 * and caches recent single texts (repeated queries skip the model).
 */
export function withBatchingAndCache(inner: Embedder, options: { maxBatch?: number; cacheSize?: number } = {}): Embedder {
  const maxBatch = options.maxBatch ?? 64;
  const cacheSize = options.cacheSize ?? 2000;
  const cache = new Map<string, number[]>();
  const queue: Pending[] = [];
  let scheduled = false;

  const remember = (text: string, vector: number[]) => {
    if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
    cache.set(text, vector);
  };

  const flush = async () => {
    scheduled = false;
    const batch = queue.splice(0, maxBatch);
    if (queue.length > 0) schedule();
    const unique = [...new Set(batch.map((p) => p.text))];
    try {
      const vectors = await inner.embed(unique);
      const byText = new Map(unique.map((text, i) => [text, vectors[i]!]));
      for (const [text, vector] of byText) remember(text, vector);
      for (const pending of batch) pending.resolve(byText.get(pending.text)!);
    } catch (error) {
      for (const pending of batch) pending.reject(error);
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
    async embed(texts) {
      if (texts.length > maxBatch) return inner.embed(texts);
      return Promise.all(texts.map(embedOne));
    },
  };
}


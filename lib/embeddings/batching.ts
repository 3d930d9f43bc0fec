import { createHash } from 'node:crypto';
import type { Embedder } from './types';

interface Pending {
  text: string;
  /** The embed call it belongs to: a failed merged batch is retried call by call. */
  call: object;
  resolve: (vector: number[]) => void;
  reject: (error: unknown) => void;
}

/** The cache key of a text in a scope: a hash, so the cache never holds the text itself (nor a deleted memory's). */
const cacheKey = (scope: string, text: string) => createHash('sha256').update(scope).update('\u0000').update(text).digest('base64');

/**
 * Coalesces concurrent embed calls made in the same tick into one model call (up to maxBatch texts), and caches
 * recent single texts per scope (an account's repeated queries skip the model; another account's never hit them).
 * When a merged batch fails, each call in it is retried on its own, so one request's bad text fails that request only.
 */
export function withBatchingAndCache(inner: Embedder, options: { maxBatch?: number; cacheSize?: number } = {}): Embedder {
  const maxBatch = options.maxBatch ?? 64;
  const cacheSize = options.cacheSize ?? 2000;
  const cache = new Map<string, number[]>();
  const queue: (Pending & { key: string })[] = [];
  let scheduled = false;

  const remember = (key: string, vector: number[]) => {
    if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
    cache.set(key, vector);
  };

  const run = async (batch: (Pending & { key: string })[]) => {
    const unique = [...new Set(batch.map((p) => p.text))];
    const vectors = await inner.embed(unique);
    const byText = new Map(unique.map((text, i) => [text, vectors[i]!]));
    for (const pending of batch) remember(pending.key, byText.get(pending.text)!);
    for (const pending of batch) pending.resolve(byText.get(pending.text)!);
  };

  const flush = async () => {
    scheduled = false;
    const batch = queue.splice(0, maxBatch);
    if (queue.length > 0) schedule();
    try {
      await run(batch);
    } catch (error) {
      const calls = new Map<object, (Pending & { key: string })[]>();
      for (const pending of batch) {
        const group = calls.get(pending.call);
        if (group) group.push(pending);
        else calls.set(pending.call, [pending]);
      }
      if (calls.size === 1) {
        for (const pending of batch) pending.reject(error);
        return;
      }
      await Promise.all(
        [...calls.values()].map((own) =>
          run(own).catch((ownError: unknown) => {
            for (const pending of own) pending.reject(ownError);
          }),
        ),
      );
    }
  };

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => void flush());
  };

  const embedOne = (call: object, scope: string, text: string): Promise<number[]> => {
    const key = cacheKey(scope, text);
    const hit = cache.get(key);
    if (hit) {
      cache.delete(key);
      cache.set(key, hit);
      return Promise.resolve(hit);
    }
    return new Promise((resolve, reject) => {
      queue.push({ text, key, call, resolve, reject });
      schedule();
    });
  };

  return {
    id: inner.id,
    dimensions: inner.dimensions,
    async embed(texts, embedOptions) {
      if (texts.length > maxBatch) return inner.embed(texts);
      const call = {};
      const scope = embedOptions?.cacheScope ?? '';
      return Promise.all(texts.map((text) => embedOne(call, scope, text)));
    },
  };
}

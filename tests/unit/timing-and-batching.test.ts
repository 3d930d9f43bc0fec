import { describe, expect, it } from 'vitest';
import { deferBatch, drainDeferred } from '@/lib/core/after-response';
import { serverTimingHeader } from '@/lib/api/server-timing';
import { timedDb, timedEmbedder, withRequestTimings } from '@/lib/core/timings';
import type { Db } from '@/lib/db';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('deferBatch', () => {
  it('writes items from many callers with one flush, then opens a new batch', async () => {
    const flushes: number[][] = [];
    for (const item of [1, 2, 3]) deferBatch('test-key', item, async (items) => void flushes.push(items));
    await drainDeferred();
    expect(flushes).toEqual([[1, 2, 3]]);
    deferBatch('test-key', 4, async (items) => void flushes.push(items));
    deferBatch('other-key', 5, async (items) => void flushes.push(items));
    await drainDeferred();
    expect(flushes).toEqual([[1, 2, 3], [4], [5]]);
  });

  it('retries a failed flush', async () => {
    let attempts = 0;
    deferBatch('flaky', 'x', async () => {
      attempts += 1;
      if (attempts < 2) throw new Error('connection reset');
    });
    await drainDeferred();
    expect(attempts).toBe(2);
  });
});

describe('Server-Timing', () => {
  const db: Db = {
    kind: 'pglite',
    query: async () => {
      await sleep(5);
      return [];
    },
    exec: async () => {},
    transaction: (fn) => fn(db),
    close: async () => {},
  };
  const embedder = { id: 'fake', dimensions: 2, embed: async (texts: string[]) => (await sleep(10), texts.map(() => [0, 1])) };

  it('counts embedding and SQL time (including inside transactions) against the request that spent it', async () => {
    const header = await withRequestTimings(async () => {
      const started = performance.now();
      const timed = timedDb(db);
      await timedEmbedder(embedder).embed(['a']);
      await timed.query('select 1');
      await timed.transaction(async (tx) => void (await tx.query('select 2')));
      return serverTimingHeader(performance.now() - started)!;
    });
    const parts = Object.fromEntries(header.split(', ').map((part) => [part.split(';')[0], Number(/dur=([\d.]+)/.exec(part)![1])]));
    expect(parts.embed).toBeGreaterThanOrEqual(9);
    expect(parts.db).toBeGreaterThanOrEqual(9);
    expect(header).toContain('desc="2 queries"');
    expect(parts.total!).toBeGreaterThanOrEqual(parts.embed! + parts.db!);
  });

  it('outside a request the wrappers only pass calls through', async () => {
    expect(serverTimingHeader(1)).toBeUndefined();
    expect(await timedEmbedder(embedder).embed(['a'])).toEqual([[0, 1]]);
  });
});

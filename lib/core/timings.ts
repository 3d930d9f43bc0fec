import { AsyncLocalStorage } from 'node:async_hooks';
import type { Db, SqlParam } from '@/lib/db';
import type { Embedder } from '@/lib/embeddings';

// Where a unit of work's time goes: time spent waiting on the embedder and on the database. lib/api/server-timing.ts
// sends it back as a Server-Timing header that browsers' dev tools and the benchmark read.

type Phase = 'embed' | 'db';

class Timings {
  readonly spent: Record<Phase, number> = { embed: 0, db: 0 };
  readonly calls: Record<Phase, number> = { embed: 0, db: 0 };
}

const current = new AsyncLocalStorage<Timings>();

export function withRequestTimings<T>(fn: () => Promise<T>): Promise<T> {
  return current.run(new Timings(), fn);
}

async function timed<T>(phase: Phase, fn: () => Promise<T>): Promise<T> {
  const timings = current.getStore();
  if (!timings) return fn();
  const started = performance.now();
  try {
    return await fn();
  } finally {
    timings.spent[phase] += performance.now() - started;
    timings.calls[phase] += 1;
  }
}

/** What the current request has spent so far (undefined outside a request). */
export function currentTimings(): { spent: Record<Phase, number>; calls: Record<Phase, number> } | undefined {
  return current.getStore();
}

/** The same database, with each statement's time counted against the request that ran it. */
export function timedDb(db: Db): Db {
  return {
    kind: db.kind,
    query<Row>(sql: string, params?: SqlParam[]) {
      return timed('db', () => db.query<Row>(sql, params));
    },
    exec: (sql) => timed('db', () => db.exec(sql)),
    transaction: (fn) => db.transaction((tx) => fn(timedDb(tx))),
    close: () => db.close(),
  };
}

export function timedEmbedder(embedder: Embedder): Embedder {
  return { ...embedder, embed: (texts, options) => timed('embed', () => embedder.embed(texts, options)) };
}

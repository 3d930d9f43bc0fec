import { AsyncLocalStorage } from 'node:async_hooks';
import type { Db, SqlParam } from '@/lib/db';
import type { Embedder } from '@/lib/embeddings';

// Where a request's time goes, per request: time spent waiting on the embedder and on the database, sent back
// as a Server-Timing header (https://www.w3.org/TR/server-timing/) that browsers' dev tools and the benchmark read.

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

/** `embed;dur=8.1, db;dur=3.2;desc="4 queries", app;dur=2.0, total;dur=13.3` for the current request. */
export function serverTimingHeader(totalMs: number): string | undefined {
  const timings = current.getStore();
  if (!timings) return undefined;
  const app = Math.max(0, totalMs - timings.spent.embed - timings.spent.db);
  const format = (value: number) => value.toFixed(1);
  return [
    `embed;dur=${format(timings.spent.embed)}`,
    `db;dur=${format(timings.spent.db)};desc="${timings.calls.db} queries"`,
    `app;dur=${format(app)}`,
    `total;dur=${format(totalMs)}`,
  ].join(', ');
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
  return { ...embedder, embed: (texts) => timed('embed', () => embedder.embed(texts)) };
}

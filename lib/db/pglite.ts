import fs from 'node:fs';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import type { Db, SqlParam } from './types';

type Queryable = Pick<PGlite, 'query' | 'exec'> | Transaction;

function wrap(target: Queryable, root: PGlite): Db {
  return {
    kind: 'pglite',
    async query<Row>(sql: string, params: SqlParam[] = []) {
      const result = await target.query<Row>(sql, params.map((p) => (p === undefined ? null : p)));
      return result.rows;
    },
    async transaction<T>(fn: (tx: Db) => Promise<T>) {
      // PGlite is one connection: a transaction holds it, so nested calls reuse the same transaction.
      if (target !== root) return fn(wrap(target, root));
      return root.transaction((tx) => fn(wrap(tx, root)));
    },
    async exec(sql: string) {
      await target.exec(sql);
    },
    async close() {
      if (target === root && !root.closed) await root.close();
    },
  };
}

/** Embedded Postgres. `dataDir` undefined means in memory (tests); otherwise files on disk. */
export async function createPgliteDb(dataDir?: string): Promise<Db & { pglite: PGlite }> {
  if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
  const pglite = await PGlite.create(dataDir, { extensions: { vector } });
  return Object.assign(wrap(pglite, pglite), { pglite });
}

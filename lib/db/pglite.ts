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
    // PGlite does not honour statement_timeout (one WASM thread, no timer interrupts), so a transaction's options are ignored.
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

/** Embedded Postgres. `dataDir` undefined means in memory (tests); otherwise files on disk, owned by one process. */
export async function createPgliteDb(dataDir?: string): Promise<Db & { pglite: PGlite }> {
  const releaseLock = dataDir ? lockDataDir(dataDir) : () => {};
  try {
    const pglite = await PGlite.create(dataDir, { extensions: { vector } });
    const db = wrap(pglite, pglite);
    const closeDb = db.close;
    return Object.assign(db, {
      pglite,
      async close() {
        await closeDb();
        releaseLock();
      },
    });
  } catch (error) {
    releaseLock();
    throw error;
  }
}

export class DataDirInUseError extends Error {}

/**
 * PGlite files must have one owner: a second process opening them (a script while the server runs) would
 * corrupt them. A lock file names the owner's pid; one left by a process that died (kill -9) is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockFile = `${dataDir.replace(/[/\\]+$/, '')}.lock`;
  const owner = Number.parseInt(readIfExists(lockFile) ?? '', 10);
  if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
    throw new DataDirInUseError(`The database files in ${dataDir} are in use by process ${owner} (a running server?). Stop it first, or use DATABASE_URL for several processes.`);
  }
  fs.writeFileSync(lockFile, String(process.pid));
  return () => {
    if (readIfExists(lockFile) === String(process.pid)) fs.rmSync(lockFile, { force: true });
  };
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

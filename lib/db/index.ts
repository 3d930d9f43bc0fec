import path from 'node:path';
import type { Env } from '@/lib/env';
import { migrate } from './migrate';
import { keepStatisticsFresh, refreshStatistics } from './statistics';
import { createPgliteDb } from './pglite';
import { createPostgresDb } from './postgres';
import type { Db } from './types';

export type { Db, SqlParam } from './types';
export { parseVectorLiteral, queryOne, toVectorLiteral } from './types';

/** Postgres at DATABASE_URL when set, otherwise embedded PGlite with its files under DATA_DIR/pglite. */
export async function openDatabase(env: Env, options: { poolSize?: number } = {}): Promise<Db> {
  const db = env.DATABASE_URL
    ? createPostgresDb(env.DATABASE_URL, { max: options.poolSize ?? env.DATABASE_POOL_SIZE })
    : await createPgliteDb(path.join(env.dataDir, 'pglite'));
  await migrate(db);
  if (db.kind === 'pglite') {
    // No autovacuum in embedded mode: keep the planner's statistics current ourselves (Postgres has its daemon).
    await refreshStatistics(db);
    const stop = keepStatisticsFresh(db);
    const close = db.close;
    return Object.assign(db, {
      async close() {
        stop();
        await close();
      },
    });
  }
  return db;
}

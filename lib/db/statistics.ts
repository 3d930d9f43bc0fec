import { describeError, log } from '@/lib/log';
import type { Db } from './types';

// Embedded PGlite runs no autovacuum daemon, so nothing refreshes the planner's statistics: after a bulk import
// the planner still believes the tables are empty and picks plans that are hundreds of times slower (a bitmap
// scan instead of the HNSW index, measured at 10,000 rows). This does what autovacuum's analyze would: tables
// that have grown by a fifth since they were last analyzed (read from the file size, which costs nothing) are
// analyzed again.

/** Analyzes the tables whose statistics are missing or stale; returns their names. */
export async function refreshStatistics(db: Db): Promise<string[]> {
  const stale = await db.query<{ relname: string }>(
    `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'r'
        and (c.reltuples < 0 or pg_relation_size(c.oid) / current_setting('block_size')::int > c.relpages * 1.2 + 8)
      order by c.relname`,
  );
  for (const { relname } of stale) await db.exec(`analyze "${relname.replace(/"/g, '""')}"`);
  return stale.map((row) => row.relname);
}

/** Refreshes statistics now and then every `intervalMs` in the background (embedded mode only). */
export function keepStatisticsFresh(db: Db, intervalMs = 30_000): () => void {
  const timer = setInterval(() => {
    refreshStatistics(db).catch((error: unknown) => log.warn('could not refresh planner statistics', describeError(error)));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

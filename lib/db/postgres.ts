import postgres from 'postgres';
import type { Db, SqlParam, TransactionOptions } from './types';

/**
 * Every statement gives up after this long (SQLSTATE 57014) unless a transaction asks for more: one slow query must
 * not hold a pooled connection, and the database, for everyone. Migrations (exec) run without it.
 */
export const STATEMENT_TIMEOUT_MS = 30_000;

type Sql = postgres.Sql | postgres.TransactionSql;

function wrap(sql: Sql, root: postgres.Sql): Db {
  return {
    kind: 'postgres',
    async query<Row>(text: string, params: SqlParam[] = []) {
      const rows = await sql.unsafe(text, params.map((p) => (p === undefined ? null : p)) as postgres.ParameterOrJSON<never>[]);
      return rows as unknown as Row[];
    },
    async transaction<T>(fn: (tx: Db) => Promise<T>, options: TransactionOptions = {}) {
      if (sql !== root) return fn(wrap(sql, root));
      return root.begin(async (tx) => {
        if (options.statementTimeoutMs !== undefined) await setLocalTimeout(tx, options.statementTimeoutMs);
        return fn(wrap(tx, root));
      }) as Promise<T>;
    },
    async exec(text: string) {
      if (sql !== root) {
        // Inside a transaction (a migration): no timeout until it ends.
        await setLocalTimeout(sql as postgres.TransactionSql, 0);
        await sql.unsafe(text);
        return;
      }
      const reserved = await root.reserve();
      try {
        await reserved.unsafe('set statement_timeout = 0');
        await reserved.unsafe(text);
      } finally {
        // Back to the connection's default (its start-up parameter) before the pool lends it again.
        await reserved.unsafe('reset statement_timeout').catch(() => {});
        reserved.release();
      }
    },
    async close() {
      if (sql === root) await root.end({ timeout: 5 });
    },
  };
}

async function setLocalTimeout(tx: postgres.TransactionSql, ms: number): Promise<void> {
  await tx.unsafe(`set local statement_timeout = ${Math.max(0, Math.floor(ms))}`);
}

/** Any Postgres with pgvector (Supabase in production) over postgres.js. */
export function createPostgresDb(url: string, options: { max?: number; statementTimeoutMs?: number } = {}): Db {
  // Supabase's transaction pooler (port 6543) supports neither prepared statements nor per-client start-up parameters
  // (its server connections are shared): there the role's statement_timeout applies.
  const pooler = /:6543\//.test(url);
  const sql = postgres(url, {
    max: options.max ?? 10,
    // Sent when each connection starts, so it holds for every statement on it.
    connection: pooler ? {} : { statement_timeout: options.statementTimeoutMs ?? STATEMENT_TIMEOUT_MS },
    onnotice: () => {},
    prepare: !pooler,
    connect_timeout: 10,
    idle_timeout: 30,
    // The Db contract passes json/jsonb parameters as JSON text (as PGlite takes them); don't encode them twice.
    types: {
      json: { to: 114, from: [114, 3802], serialize: (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value)), parse: (value: string) => JSON.parse(value) },
    },
  });
  return wrap(sql, sql);
}

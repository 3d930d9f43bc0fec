import postgres from 'postgres';
import type { Db, SqlParam } from './types';

type Sql = postgres.Sql | postgres.TransactionSql;

function wrap(sql: Sql, root: postgres.Sql): Db {
  return {
    kind: 'postgres',
    async query<Row>(text: string, params: SqlParam[] = []) {
      const rows = await sql.unsafe(text, params.map((p) => (p === undefined ? null : p)) as postgres.ParameterOrJSON<never>[]);
      return rows as unknown as Row[];
    },
    async transaction<T>(fn: (tx: Db) => Promise<T>) {
      if (sql !== root) return fn(wrap(sql, root));
      return root.begin((tx) => fn(wrap(tx, root))) as Promise<T>;
    },
    async exec(text: string) {
      await sql.unsafe(text);
    },
    async close() {
      if (sql === root) await root.end({ timeout: 5 });
    },
  };
}

/** Any Postgres with pgvector (Supabase in production) over postgres.js. */
export function createPostgresDb(url: string, options: { max?: number } = {}): Db {
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    // Supabase's transaction pooler (port 6543) does not support prepared statements.
    prepare: !/:6543\//.test(url),
    connect_timeout: 10,
    idle_timeout: 30,
    // The Db contract passes json/jsonb parameters as JSON text (as PGlite takes them); don't encode them twice.
    types: {
      json: { to: 114, from: [114, 3802], serialize: (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value)), parse: (value: string) => JSON.parse(value) },
    },
  });
  return wrap(sql, sql);
}

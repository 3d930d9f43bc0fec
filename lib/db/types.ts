export type SqlParam = string | number | boolean | null | Date | string[] | undefined;

export interface TransactionOptions {
  statementTimeoutMs?: number;
}

/**
 * The one SQL client interface. Queries are parameterised ($1, $2, …); never concatenate input into SQL.
 * json/jsonb parameters are passed as JSON text (JSON.stringify) and cast in SQL (`$1::jsonb`).
 */
export interface Db {
  readonly kind: 'pglite' | 'postgres';
  query<Row = Record<string, unknown>>(sql: string, params?: SqlParam[]): Promise<Row[]>;
  /**
   * Runs fn inside one transaction; everything fn does through `tx` commits or rolls back together. A job that
   * legitimately runs long statements (maintenance) passes a larger statementTimeoutMs (0: none) than the default
   * every request's statements have; nested calls keep the outer transaction's.
   */
  transaction<T>(fn: (tx: Db) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** Runs a script of several statements without parameters (migrations), without the statement timeout. */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

export async function queryOne<Row>(db: Db, sql: string, params?: SqlParam[]): Promise<Row | undefined> {
  const rows = await db.query<Row>(sql, params);
  return rows[0];
}

/** Formats an embedding as a pgvector literal, passed as a parameter and cast with ::vector. */
export function toVectorLiteral(embedding: ArrayLike<number>): string {
  return `[${Array.from(embedding, (value) => (Number.isFinite(value) ? value : 0)).join(',')}]`;
}

/** Reads a pgvector literal ('[0.1,0.2,…]', as `embedding::text` returns it) back into numbers. */
export function parseVectorLiteral(literal: string): number[] {
  return literal.slice(1, -1).split(',').map(Number);
}

import postgres from 'postgres';
import type { Db, SqlParam, TransactionOptions } from './types';

/**
 * Every statement gives up after this long (SQLSTATE 57014) unless a transaction asks for more: one slow query must
 * not hold a pooled connection, and the database, for everyone. Migrations (exec) run without it.
 */
export const STATEMENT_TIMEOUT_MS = 30_000;

/**
 * The longest a statement (or a transaction's BEGIN) waits for a pooled connection before it fails with
 * CONNECT_TIMEOUT (503). Without it a request could wait for ever while the database is down: postgres.js keeps the
 * statements queued and tries one connection attempt per queued statement, backing off up to 20 s between them, so
 * the request queue drained at one statement per ~20 s (npm run crash's status request during the outage never
 * returned). A statement already sent is bounded by statement_timeout and by its connection failing.
 */
export const ACQUIRE_TIMEOUT_MS = 10_000;

/** A statement that got no connection in time (the database unreachable, or every connection busy). */
export class ConnectionWaitTimeout extends Error {
  readonly code = 'CONNECT_TIMEOUT';
  constructor(ms: number) {
    super(`no database connection within ${ms} ms`);
  }
}

/** What withinAcquireTimeout reads and rewrites of a postgres.js query that has not been sent yet (its own fields). */
interface UnsentQuery {
  /** Set when postgres.js writes the query to a connection. */
  state: unknown;
  strings: string[];
  args: unknown[];
}

/**
 * Runs a statement on the pool, failing it after `ms` if it has not been sent by then. A statement that was not sent is
 * rewritten to `select 1`, so it never runs after its caller was told it failed. It is not cancelled: when it is the
 * statement a new connection was opened for, postgres.js skips a cancelled one once the connection is ready and never
 * lends that connection again (connection.js, ReadyForQuery), so a slow connection start stranded the pool for good.
 * Rewritten, it runs as a no-op and the connection joins the pool.
 */
function withinAcquireTimeout<T>(pending: PromiseLike<unknown>, ms: number, pool: Pool): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      const query = pending as unknown as UnsentQuery;
      if (query.state) return;
      reject(new ConnectionWaitTimeout(ms));
      query.strings = ['select 1'];
      query.args = [];
      markUnreachable(pool);
    }, ms);
    pending.then(
      (rows) => {
        clearTimeout(timer);
        resolve(rows as unknown as T);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * The app's connection pool: a postgres.js client that the reconnect probe may replace. After a statement got no
 * connection in time, the pool is marked unreachable and statements fail at once (503) until it answers again.
 */
interface Pool {
  sql: postgres.Sql;
  readonly create: () => postgres.Sql;
  readonly acquireTimeoutMs: number;
  unreachable: boolean;
  closed: boolean;
}

/** How long the probe waits for the current client to answer at all before it gives up on it. */
const PROBE_PATIENCE_MS = 10_000;

/**
 * Marks the pool unreachable and starts its one probe: `select 1` on the current client, never cancelled. When it is
 * answered, the pool is back. When it fails (the database refused or dropped the connection) or is not answered
 * within PROBE_PATIENCE_MS (postgres.js can be left in a state it never leaves: seen in npm run crash, the database
 * killed under a burst of transactions, a TypeError inside postgres.js and no statement sent again; or every
 * connection held that long), the client is ended and fresh clients are tried until the database answers one, which
 * the pool then uses. Nothing the old client still held is written later: its statements fail with it.
 */
function markUnreachable(pool: Pool): void {
  if (pool.unreachable || pool.closed) return;
  pool.unreachable = true;
  const current = pool.sql;
  void (async () => {
    const answered = current`select 1`.then(
      () => true,
      () => false,
    );
    let patienceTimer: ReturnType<typeof setTimeout> | undefined;
    const patience = new Promise<'waited'>((resolve) => {
      patienceTimer = setTimeout(() => resolve('waited'), PROBE_PATIENCE_MS);
      patienceTimer.unref?.();
    });
    const outcome = await Promise.race([answered, patience]);
    clearTimeout(patienceTimer);
    if (outcome === true) {
      pool.unreachable = false;
      return;
    }
    // Ended first: a database that takes one connection at a time (pglite-socket) must not be held by it.
    void current.end({ timeout: 0 }).catch(() => {});
    for (;;) {
      if (pool.closed) return;
      const fresh = pool.create();
      try {
        await fresh`select 1`;
        if (pool.closed) {
          await fresh.end({ timeout: 0 });
          return;
        }
        pool.sql = fresh;
        pool.unreachable = false;
        return;
      } catch {
        await fresh.end({ timeout: 0 }).catch(() => {});
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  })();
}

function wrap(pool: Pool, tx?: postgres.TransactionSql): Db {
  const acquireTimeoutMs = pool.acquireTimeoutMs;
  return {
    kind: 'postgres',
    async query<Row>(text: string, params: SqlParam[] = []) {
      const values = params.map((p) => (p === undefined ? null : p)) as postgres.ParameterOrJSON<never>[];
      // Inside a transaction the statement runs on the transaction's connection: no wait for one.
      if (tx) return (await tx.unsafe(text, values)) as unknown as Row[];
      if (pool.unreachable) throw new ConnectionWaitTimeout(acquireTimeoutMs);
      return withinAcquireTimeout<Row[]>(pool.sql.unsafe(text, values), acquireTimeoutMs, pool);
    },
    async transaction<T>(fn: (tx: Db) => Promise<T>, options: TransactionOptions = {}) {
      if (tx) return fn(wrap(pool, tx));
      if (pool.unreachable) throw new ConnectionWaitTimeout(acquireTimeoutMs);
      // BEGIN waits for a connection like any statement; a transaction that starts after its caller gave up rolls back
      // before doing anything, so no write lands after the caller was answered 503.
      let started = false;
      let abandoned = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const gaveUp = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          if (started) return;
          abandoned = true;
          reject(new ConnectionWaitTimeout(acquireTimeoutMs));
          markUnreachable(pool);
        }, acquireTimeoutMs);
      });
      const run = pool.sql.begin(async (inner) => {
        started = true;
        clearTimeout(timer);
        if (abandoned) throw new ConnectionWaitTimeout(acquireTimeoutMs);
        if (options.statementTimeoutMs !== undefined) await setLocalTimeout(inner, options.statementTimeoutMs);
        return fn(wrap(pool, inner));
      }) as Promise<T>;
      try {
        return await Promise.race([run, gaveUp]);
      } finally {
        clearTimeout(timer);
        // Settled later when abandoned (rolled back, or failed with the connection): nobody is waiting for it.
        run.catch(() => {});
      }
    },
    async exec(text: string) {
      if (tx) {
        // Inside a transaction (a migration): no timeout until it ends.
        await setLocalTimeout(tx, 0);
        await tx.unsafe(text);
        return;
      }
      const reserved = await pool.sql.reserve();
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
      if (tx) return;
      pool.closed = true;
      await pool.sql.end({ timeout: 5 });
    },
  };
}

async function setLocalTimeout(tx: postgres.TransactionSql, ms: number): Promise<void> {
  await tx.unsafe(`set local statement_timeout = ${Math.max(0, Math.floor(ms))}`);
}

/** Any Postgres with pgvector (Supabase in production) over postgres.js. */
export function createPostgresDb(url: string, options: { max?: number; statementTimeoutMs?: number; acquireTimeoutMs?: number } = {}): Db {
  // Supabase's transaction pooler (port 6543) supports neither prepared statements nor per-client start-up parameters
  // (its server connections are shared): there the role's statement_timeout applies.
  const pooler = /:6543\//.test(url);
  const create = () =>
    postgres(url, {
      max: options.max ?? 10,
      // Sent when each connection starts, so it holds for every statement on it.
      connection: pooler ? {} : { statement_timeout: options.statementTimeoutMs ?? STATEMENT_TIMEOUT_MS },
      onnotice: () => {},
      prepare: !pooler,
      connect_timeout: 10,
      // Between failed connection attempts: postgres.js's default curve (3^n / 100 s) capped at 2 s instead of 20 s, so
      // the app is back within ~2 s of the database, not up to 20 s later.
      backoff: (retries: number) => (0.5 + Math.random() / 2) * Math.min(3 ** retries / 100, 2),
      idle_timeout: 30,
      // The Db contract passes json/jsonb parameters as JSON text (as PGlite takes them); don't encode them twice.
      types: {
        json: { to: 114, from: [114, 3802], serialize: (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value)), parse: (value: string) => JSON.parse(value) },
      },
    });
  return wrap({ sql: create(), create, acquireTimeoutMs: options.acquireTimeoutMs ?? ACQUIRE_TIMEOUT_MS, unreachable: false, closed: false });
}

import { once } from 'node:events';
import fs from 'node:fs';
import readline from 'node:readline';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { readMigrations } from './migrate';
import type { Db } from './types';

// A logical backup of the whole database that works the same on embedded PGlite and on Postgres (Supabase):
// the schema comes from our migrations, so a backup holds the data only — one JSON line per row, tables in
// foreign-key order, read page by page in primary-key order. A restore goes into a freshly migrated, empty
// database inside one transaction: it all lands or nothing does.

export const BACKUP_FORMAT = 'memory-layer-backup';
export const BACKUP_VERSION = 1;
const PAGE_SIZE = 500;
/** Tables a freshly started server already fills; restored rows replace theirs. */
const SETTINGS_TABLES = new Set(['app_settings']);
/**
 * Rows a backup leaves out: the secret that signs local-auth session JWTs (generated at first start when AUTH_SECRET is
 * unset). A backup file travels to places a database does not, and that secret mints a session for any user. A
 * restored server keeps its own, so dashboard users sign in again; API keys, passwords and refresh tokens are
 * stored hashed and restore as they were.
 */
const LEFT_OUT: Record<string, string> = { app_settings: `t.key not in ('auth_secret')` };

export interface BackupHeader {
  format: typeof BACKUP_FORMAT;
  version: typeof BACKUP_VERSION;
  /** The last migration applied to the database that was backed up. */
  schema: string;
  created_at: string;
  tables: { name: string; rows: number }[];
}

interface TableInfo {
  name: string;
  /** Columns a restore writes (generated columns are recomputed by the database). */
  columns: string[];
  generated: string[];
  primaryKey: string[];
  /** Columns that reference the same table (restored as null first, then set). */
  selfReferences: string[];
  /** An identity column (restored values override the sequence's). */
  identity?: string;
  /** Columns numbered by a sequence they own (identity, or a nextval default): each sequence continues after the restored values. */
  sequenced: string[];
  dependsOn: string[];
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
/** `t."a", t."b"`: columns qualified by a table alias, for row comparisons. */
const qualified = (alias: string, columns: string[]) => columns.map((column) => `${alias}.${quoteIdent(column)}`).join(', ');

/** The tables of the public schema (bar the migrations ledger) with what a backup needs to know, parents first. */
export async function describeTables(db: Db): Promise<TableInfo[]> {
  const columns = await db.query<{ table_name: string; column_name: string; generated: string; identity: string; sequenced: boolean }>(
    `select c.relname as table_name, a.attname as column_name, a.attgenerated as generated, a.attidentity as identity,
            pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) is not null as sequenced
       from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped and c.relname <> 'schema_migrations'
      order by c.relname, a.attnum`,
  );
  const constraints = await db.query<{ table_name: string; type: string; columns: string[]; referenced: string | null }>(
    `select c.relname as table_name, k.contype as type, r.relname as referenced,
            array(select a.attname::text from unnest(k.conkey) with ordinality u(attnum, i)
                   join pg_attribute a on a.attrelid = k.conrelid and a.attnum = u.attnum order by u.i) as columns
       from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
       left join pg_class r on r.oid = k.confrelid
      where n.nspname = 'public' and k.contype in ('p', 'f')`,
  );
  const tables = new Map<string, TableInfo>();
  for (const column of columns) {
    const table = tables.get(column.table_name) ?? { name: column.table_name, columns: [], generated: [], primaryKey: [], selfReferences: [], sequenced: [], dependsOn: [] };
    tables.set(column.table_name, table);
    if (column.generated === 's') {
      table.generated.push(column.column_name);
      continue;
    }
    table.columns.push(column.column_name);
    if (column.identity === 'a' || column.identity === 'd') table.identity = column.column_name;
    if (column.sequenced) table.sequenced.push(column.column_name);
  }
  for (const constraint of constraints) {
    const table = tables.get(constraint.table_name);
    if (!table) continue;
    if (constraint.type === 'p') table.primaryKey = constraint.columns;
    else if (constraint.referenced === constraint.table_name) table.selfReferences.push(...constraint.columns);
    else if (constraint.referenced && !table.dependsOn.includes(constraint.referenced)) table.dependsOn.push(constraint.referenced);
  }
  // Parents before children (depth-first topological order; names sorted for a stable file).
  const ordered: TableInfo[] = [];
  const visiting = new Set<string>();
  const visit = (name: string) => {
    const table = tables.get(name);
    if (!table || ordered.includes(table) || visiting.has(name)) return;
    visiting.add(name);
    for (const parent of [...table.dependsOn].sort()) visit(parent);
    ordered.push(table);
  };
  for (const name of [...tables.keys()].sort()) visit(name);
  return ordered;
}

async function latestSchema(db: Db): Promise<string> {
  const rows = await db.query<{ version: string }>('select version from schema_migrations order by version desc limit 1');
  return rows[0]?.version ?? '';
}

/** Writes a backup as lines: a header, then `{"t": table, "r": row}` per row. Rows are read in one snapshot. */
export async function backupDatabase(db: Db, write: (line: string) => void | Promise<void>): Promise<BackupHeader> {
  return db.transaction(async (tx) => {
    // One consistent snapshot for every table (a repeatable-read transaction on Postgres; PGlite has one session).
    if (tx.kind === 'postgres') await tx.query('set transaction isolation level repeatable read, read only');
    const tables = await describeTables(tx);
    const counts: BackupHeader['tables'] = [];
    for (const table of tables) {
      const [row] = await tx.query<{ n: string }>(`select count(*) as n from ${quoteIdent(table.name)} t ${LEFT_OUT[table.name] ? `where ${LEFT_OUT[table.name]}` : ''}`);
      counts.push({ name: table.name, rows: Number(row!.n) });
    }
    const header: BackupHeader = { format: BACKUP_FORMAT, version: BACKUP_VERSION, schema: await latestSchema(tx), created_at: new Date().toISOString(), tables: counts };
    await write(JSON.stringify(header));
    for (const table of tables) {
      const name = quoteIdent(table.name);
      const keyColumns = table.primaryKey.length ? table.primaryKey : table.columns;
      const keys = qualified('t', keyColumns);
      const cursorKeys = qualified('c', keyColumns);
      let cursor: string | undefined;
      for (;;) {
        // Keyset pagination in primary-key order; the cursor row is cast back to the table's own types.
        const conditions = [
          ...(LEFT_OUT[table.name] ? [LEFT_OUT[table.name]] : []),
          ...(cursor ? [`(${keys}) > (select ${cursorKeys} from jsonb_populate_record(null::${name}, $2::jsonb) c)`] : []),
        ];
        const rows = await tx.query<{ row: Record<string, unknown> }>(
          `select to_jsonb(t) - $1::text[] as row from ${name} t
            ${conditions.length ? `where ${conditions.join(' and ')}` : ''}
            order by ${keys} limit ${PAGE_SIZE}`,
          cursor ? [table.generated, cursor] : [table.generated],
        );
        for (const { row } of rows) await write(JSON.stringify({ t: table.name, r: row }));
        if (rows.length < PAGE_SIZE) break;
        cursor = JSON.stringify(rows[rows.length - 1]!.row);
      }
    }
    return header;
  });
}

export interface RestoreReport {
  /** The schema version the backup was made with (newer migrations of the target apply on top). */
  schema: string;
  tables: { name: string; rows: number }[];
}

export class BackupError extends Error {}

/**
 * Restores a backup into `db`, which must be migrated and hold no accounts. Newer migrations than the backup's
 * are fine (columns added since get their defaults). Everything happens in one transaction.
 */
export async function restoreDatabase(db: Db, lines: AsyncIterable<string> | Iterable<string>): Promise<RestoreReport> {
  return db.transaction(async (tx) => {
    const existing = Number((await tx.query<{ n: string }>('select count(*) as n from accounts'))[0]!.n);
    if (existing > 0) throw new BackupError(`The target database already holds ${existing} account(s); restore into a new, empty database.`);
    const tables = new Map((await describeTables(tx)).map((table) => [table.name, table]));
    let header: BackupHeader | undefined;
    const restored = new Map<string, number>();
    let batch: { table: TableInfo; rows: Record<string, unknown>[] } | undefined;
    const deferred: { table: TableInfo; column: string; key: Record<string, unknown>; value: unknown }[] = [];

    const flush = async () => {
      if (!batch || batch.rows.length === 0) return;
      const { table, rows } = batch;
      const columns = table.columns.filter((column) => column in rows[0]!);
      const list = columns.map(quoteIdent).join(', ');
      const overriding = table.identity && columns.includes(table.identity) ? 'overriding system value' : '';
      // A new server records its settings (the embedding model) at start; the backup's own settings win.
      const upsert = SETTINGS_TABLES.has(table.name)
        ? `on conflict (${table.primaryKey.map(quoteIdent).join(', ')}) do update set ${columns.filter((c) => !table.primaryKey.includes(c)).map((c) => `${quoteIdent(c)} = excluded.${quoteIdent(c)}`).join(', ')}`
        : '';
      await tx.query(`insert into ${quoteIdent(table.name)} (${list}) ${overriding} select ${list} from jsonb_populate_recordset(null::${quoteIdent(table.name)}, $1::jsonb) ${upsert}`, [JSON.stringify(rows)]);
      restored.set(table.name, (restored.get(table.name) ?? 0) + rows.length);
      batch = undefined;
    };

    let lineNumber = 0;
    for await (const raw of lines) {
      lineNumber += 1;
      const line = raw.trim();
      if (!line) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new BackupError(`Line ${lineNumber} is not JSON.`);
      }
      if (!header) {
        const candidate = parsed as Partial<BackupHeader>;
        if (candidate.format !== BACKUP_FORMAT || candidate.version !== BACKUP_VERSION) throw new BackupError(`Not a ${BACKUP_FORMAT} v${BACKUP_VERSION} file (line 1).`);
        header = candidate as BackupHeader;
        const known = readMigrations().map((migration) => migration.version);
        if (header.schema && !known.includes(header.schema)) throw new BackupError(`The backup was made by a newer version (schema ${header.schema}); upgrade before restoring.`);
        continue;
      }
      const { t, r } = parsed as { t?: unknown; r?: unknown };
      const table = typeof t === 'string' ? tables.get(t) : undefined;
      if (!table || !r || typeof r !== 'object') throw new BackupError(`Line ${lineNumber}: unknown table or malformed row.`);
      const row = { ...(r as Record<string, unknown>) };
      if (table.name === 'accounts' && 'memory_count' in row) row.memory_count = 0; // recounted by the trigger as memories arrive
      if (table.name === 'accounts' && 'storage_bytes' in row) row.storage_bytes = 0; // likewise, as memories and chat messages arrive
      for (const column of table.selfReferences) {
        if (row[column] != null) {
          deferred.push({ table, column, key: Object.fromEntries(table.primaryKey.map((key) => [key, row[key]])), value: row[column] });
          row[column] = null;
        }
      }
      if (batch && (batch.table !== table || batch.rows.length >= PAGE_SIZE)) await flush();
      batch ??= { table, rows: [] };
      batch.rows.push(row);
    }
    await flush();
    if (!header) throw new BackupError('The file is empty.');

    for (const { table, column, key, value } of deferred) {
      await tx.query(
        `update ${quoteIdent(table.name)} t set ${quoteIdent(column)} = (jsonb_populate_record(null::${quoteIdent(table.name)}, $1::jsonb)).${quoteIdent(column)}
          where (${qualified('t', table.primaryKey)}) = (select ${qualified('k', table.primaryKey)} from jsonb_populate_record(null::${quoteIdent(table.name)}, $2::jsonb) k)`,
        [JSON.stringify({ [column]: value }), JSON.stringify(key)],
      );
    }
    for (const table of tables.values()) {
      for (const column of table.sequenced) {
        await tx.query(
          `select setval(pg_get_serial_sequence($1, $2), greatest((select max(${quoteIdent(column)}) from ${quoteIdent(table.name)}), 1), (select max(${quoteIdent(column)}) is not null from ${quoteIdent(table.name)}))`,
          [`public.${table.name}`, column],
        );
      }
    }
    for (const expected of header.tables) {
      const got = restored.get(expected.name) ?? 0;
      if (tables.has(expected.name) && got !== expected.rows) throw new BackupError(`The file is incomplete: ${expected.name} has ${got} of ${expected.rows} rows.`);
    }
    return { schema: header.schema, tables: [...restored].map(([name, rows]) => ({ name, rows })) };
  });
}

/** Writes a backup file (gzip-compressed when the name ends in .gz); the file appears only once complete. */
export async function backupToFile(db: Db, file: string): Promise<BackupHeader> {
  const partial = `${file}.partial`;
  const out = fs.createWriteStream(partial);
  const sink = file.endsWith('.gz') ? zlib.createGzip() : undefined;
  const stream: NodeJS.WritableStream = sink ?? out;
  const done = sink ? pipeline(sink, out) : new Promise<void>((resolve, reject) => out.on('finish', resolve).on('error', reject));
  try {
    const header = await backupDatabase(db, async (line) => {
      if (!stream.write(`${line}\n`)) await once(stream, 'drain');
    });
    stream.end();
    await done;
    fs.renameSync(partial, file);
    return header;
  } catch (error) {
    stream.end();
    await done.catch(() => {});
    fs.rmSync(partial, { force: true });
    throw error;
  }
}

/** Restores a file written by backupToFile (plain or .gz). */
export async function restoreFromFile(db: Db, file: string): Promise<RestoreReport> {
  if (!fs.existsSync(file)) throw new BackupError(`No such file: ${file}`);
  const input = fs.createReadStream(file);
  const lines = readline.createInterface({ input: file.endsWith('.gz') ? input.pipe(zlib.createGunzip()) : input, crlfDelay: Infinity });
  // Take the iterator now: readline emits lines as soon as data flows, and the restore first waits for a connection.
  const iterator = lines[Symbol.asyncIterator]();
  try {
    return await restoreDatabase(db, { [Symbol.asyncIterator]: () => iterator });
  } finally {
    lines.close();
    input.destroy();
  }
}

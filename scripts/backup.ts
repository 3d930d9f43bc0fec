// npm run db:backup -- <file[.gz]> — writes a logical backup of the whole database (DATABASE_URL, or the PGlite
// files under DATA_DIR: stop the server first, they have one owner). Restore with npm run db:restore.
// The generated local-auth signing secret is left out (lib/db/backup.ts): after a restore, dashboard users sign in
// again, unless AUTH_SECRET is set in the environment, which then signs as before.
import { openDatabase } from '@/lib/db';
import { backupToFile } from '@/lib/db/backup';
import { getEnv } from '@/lib/env';

const file = process.argv[2];
if (!file) {
  console.error('Usage: npm run db:backup -- <file>   (a name ending in .gz is compressed)');
  process.exit(2);
}
const db = await openDatabase(getEnv(), { poolSize: 1 });
try {
  const header = await backupToFile(db, file);
  const rows = header.tables.reduce((sum, table) => sum + table.rows, 0);
  console.log(`Backed up ${rows} rows from ${header.tables.length} tables (schema ${header.schema}) to ${file}`);
} finally {
  await db.close();
}

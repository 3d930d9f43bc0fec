// npm run db:restore -- <file[.gz]> — restores a backup made by npm run db:backup into an empty database
// (DATABASE_URL, or a new DATA_DIR). Migrations newer than the backup are applied first; all or nothing.
import { openDatabase } from '@/lib/db';
import { BackupError, restoreFromFile } from '@/lib/db/backup';
import { getEnv } from '@/lib/env';

const file = process.argv[2];
if (!file) {
  console.error('Usage: npm run db:restore -- <file>');
  process.exit(2);
}
const db = await openDatabase(getEnv(), { poolSize: 1 });
try {
  const report = await restoreFromFile(db, file);
  const rows = report.tables.reduce((sum, table) => sum + table.rows, 0);
  console.log(`Restored ${rows} rows into ${report.tables.length} tables from ${file} (made with schema ${report.schema}).`);
  // Backups never hold the generated session-signing secret: the restored server uses its own.
  if (!getEnv().AUTH_SECRET) console.log('Dashboard sessions of the old server are not valid here: users sign in again (API keys work as before).');
} catch (error) {
  if (!(error instanceof BackupError)) throw error;
  console.error(`Restore refused: ${error.message} Nothing was changed.`);
  process.exitCode = 1;
} finally {
  await db.close();
}

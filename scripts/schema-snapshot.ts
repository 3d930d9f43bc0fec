// npm run db:snapshot — writes supabase/schema.sql, the schema after every migration, from a fresh in-memory database.
import fs from 'node:fs';
import { migrate } from '@/lib/db/migrate';
import { createPgliteDb } from '@/lib/db/pglite';
import { SCHEMA_SNAPSHOT_FILE, schemaSnapshot } from '@/lib/db/schema-snapshot';

const db = await createPgliteDb();
try {
  await migrate(db);
  fs.writeFileSync(SCHEMA_SNAPSHOT_FILE, await schemaSnapshot(db));
  console.log(`Wrote ${SCHEMA_SNAPSHOT_FILE}.`);
} finally {
  await db.close();
}

// npm run db:migrate — applies pending SQL migrations from supabase/migrations to DATABASE_URL (or the PGlite files).
import { createPostgresDb } from '@/lib/db/postgres';
import { createPgliteDb } from '@/lib/db/pglite';
import { migrate } from '@/lib/db/migrate';
import { getEnv } from '@/lib/env';
import path from 'node:path';

const env = getEnv();
const db = env.DATABASE_URL ? createPostgresDb(env.DATABASE_URL, { max: 1 }) : await createPgliteDb(path.join(env.dataDir, 'pglite'));
const applied = await migrate(db);
console.log(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'Database is up to date.');
await db.close();

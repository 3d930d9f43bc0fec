import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_SNAPSHOT_FILE, schemaSnapshot } from '@/lib/db/schema-snapshot';
import { createTestDatabase, type TestDatabase } from '@/tests/helpers/services';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.stop());

describe('supabase/schema.sql', () => {
  it('is the schema the migrations produce', async () => {
    const committed = fs.readFileSync(SCHEMA_SNAPSHOT_FILE, 'utf8');
    const current = await schemaSnapshot(database.db);
    expect(current, `${SCHEMA_SNAPSHOT_FILE} is out of date: run \`npm run db:snapshot\` and commit the result`).toBe(committed);
  });
});

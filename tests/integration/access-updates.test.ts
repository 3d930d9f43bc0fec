import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ctx } from '@/lib/core/context';
import { recordUse } from '@/lib/memory/records/access';
import { createTestDatabase, type TestDatabase } from '@/tests/helpers/services';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.stop();
});

const pageOf = async (ids: string[]) =>
  new Map(
    (await database.db.query<{ id: string; page: string }>(`select id, (ctid::text::point)[0]::text as page from memories where id = any($1::uuid[])`, [ids])).map((row) => [row.id, row.page]),
  );

describe('use and access counts (explicit uses; reads raise access counts only)', () => {
  it('are updated in place: the new row version stays on its page, so no index (HNSW included) is written', async () => {
    const [account] = await database.db.query<{ id: string }>(`insert into accounts (plan) values ('enterprise') returning id`);
    // Rows as the API writes them: a few hundred bytes of text, a 512-d embedding (moved to TOAST), indexed by HNSW.
    const rows = await database.db.query<{ id: string }>(
      `insert into memories (account_id, end_user_id, content, embedding)
       select $1, 'reader', 'memory ' || g || ' about the garden, the harbour and the cello quartet',
              (select array_agg(random() - 0.5) from generate_series(1, 512) d where g > 0)::vector
       from generate_series(1, 300) g returning id`,
      [account!.id],
    );
    // A search returns a few memories spread over the end user's pages; the same ones are read again and again.
    const read = rows.map((row) => row.id).filter((_, i) => i % 6 === 0);
    const before = await pageOf(read);
    const ctx = { db: database.db, account: { id: account!.id, plan: 'enterprise' }, caller: { type: 'system', name: 'script' }, now: () => new Date() } as unknown as Ctx;
    for (let round = 0; round < 5; round++) await recordUse(ctx, read);
    const after = await pageOf(read);
    expect(read.filter((id) => before.get(id) !== after.get(id))).toEqual([]);
    const [counts] = await database.db.query<{ total: number }>('select sum(access_count)::int as total from memories where id = any($1::uuid[])', [read]);
    expect(counts!.total).toBe(5 * read.length);
  });
});

// Review of storage metering (issue 18, finding 4). Summaries (source 'summary') are left out of memory_count and
// storage_bytes: maintenance derives them from memories already counted. But an import line chooses its own `source`,
// so lines imported as "summary" were checked against the plan and then never counted: the same import could be
// repeated without end, past both the memory limit and the storage limit.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as importRoute from '@/app/api/v1/import/route';
import { PLANS } from '@/lib/billing/plans';
import { call } from '@/tests/helpers/http';
import { withAccount } from '@/tests/helpers/fixtures';

const tenant = withAccount();
const FREE_LIMIT_BYTES = PLANS.free.storageLimitMb! * 1_048_576;

const importLines = (lines: Record<string, unknown>[]) =>
  call(importRoute.POST, 'POST', '/api/v1/import', {
    token: tenant.apiKey,
    rawBody: lines.map((line) => JSON.stringify(line)).join('\n'),
    headers: { 'content-type': 'application/x-ndjson' },
  });
const summaryLines = (count: number, user = 'summary-user') =>
  Array.from({ length: count }, (_, i) => ({ id: randomUUID(), external_user_id: user, content: `Summary of things number ${i} ${randomUUID()}`, category: 'summary', source: 'summary' }));

async function counters() {
  const [row] = await tenant.app.services.db.query<{ counted: number; recomputed: number; memory_count: number; active: number }>(
    `select storage_bytes::float8 as counted, account_storage_bytes(id)::float8 as recomputed, memory_count,
            (select count(*) from memories where account_id = $1 and archived_at is null and superseded_by is null)::int as active
     from accounts where id = $1`,
    [tenant.accountId],
  );
  return row!;
}

describe('import lines that call themselves summaries', () => {
  it('are charged like any imported memory: memory_count and storage_bytes move', async () => {
    const before = await counters();
    const res = await importLines(summaryLines(3));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ imported: 3 });
    const after = await counters();
    expect(after.memory_count - before.memory_count).toBe(3);
    expect(after.active - before.active).toBe(3);
    expect(after.counted).toBe(after.recomputed);
    expect(after.counted - before.counted).toBeGreaterThan(3 * 6_144);
  });

  it('cannot be repeated past the memory limit', async () => {
    const { memory_count: used } = await counters();
    await tenant.app.services.db.query('update accounts set memory_count = $2 where id = $1', [tenant.accountId, PLANS.free.memories! - 2]);
    try {
      expect((await importLines(summaryLines(2, 'limit-user'))).status).toBe(200);
      const again = await importLines(summaryLines(2, 'limit-user'));
      expect(again.status).toBe(429);
      expect(again.headers.get('x-quota-exceeded')).toBe('memories');
    } finally {
      await tenant.app.services.db.query('update accounts set memory_count = $2 + 2 where id = $1', [tenant.accountId, used]);
    }
  });

  it('cannot be repeated past the storage limit', async () => {
    const lines = summaryLines(2, 'storage-user');
    const [row] = await tenant.app.services.db.query<{ bytes: number }>(
      "select sum(memory_storage_bytes(c, '{}'::jsonb, null))::float8 as bytes from unnest($1::text[]) as c",
      [lines.map((line) => line.content)],
    );
    // Room for the first import and not for a second one of the same size.
    await tenant.app.services.db.query('update accounts set storage_bytes = $2 where id = $1', [tenant.accountId, FREE_LIMIT_BYTES - row!.bytes - 100]);
    try {
      expect((await importLines(lines)).status).toBe(200);
      const again = await importLines(summaryLines(2, 'storage-user'));
      expect(again.status).toBe(429);
      expect(again.headers.get('x-quota-exceeded')).toBe('storage');
    } finally {
      await tenant.app.services.db.query('update accounts set storage_bytes = account_storage_bytes(id) where id = $1', [tenant.accountId]);
    }
  });
});

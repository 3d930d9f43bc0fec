// An account already over its plan's storage is refused before the work a write would spend: ingest before extraction
// and embedding, a stored memory before its embedding. The locked check inside each write (storage-quota.test.ts)
// still has the last word; this one only saves the work.
import { describe, expect, it } from 'vitest';
import * as ingest from '@/app/api/v1/ingest/route';
import * as memory from '@/app/api/v1/memory/route';
import { PLANS } from '@/lib/billing/plans';
import type { Embedder } from '@/lib/embeddings/types';
import { createOfflineExtractor } from '@/lib/memory/ingest/extraction/offline';
import type { Extractor } from '@/lib/memory/ingest/extraction/types';
import { withAccount } from '@/tests/helpers/fixtures';
import { call } from '@/tests/helpers/http';
import { testEmbedder } from '@/tests/helpers/services';

const calls = { embedded: 0, extracted: 0 };
const embedder = testEmbedder();
const countingEmbedder: Embedder = {
  id: embedder.id,
  dimensions: embedder.dimensions,
  embed: (texts, options) => {
    calls.embedded += texts.length;
    return embedder.embed(texts, options);
  },
};
const offline = createOfflineExtractor();
const countingExtractor: Extractor = {
  kind: offline.kind,
  extract: (input, llm) => {
    calls.extracted += 1;
    return offline.extract(input, llm);
  },
};
const tenant = withAccount({ overrides: { embedder: countingEmbedder, extractor: countingExtractor } });

const fullBytes = PLANS.free.storageLimitMb! * 1_048_576;
const setStorage = (bytes: number) => tenant.app.services.db.query('update accounts set storage_bytes = $2 where id = $1', [tenant.accountId, bytes]);
const memories = async () => Number((await tenant.app.services.db.query<{ n: string }>('select count(*) as n from memories where account_id = $1', [tenant.accountId]))[0]!.n);
const ingestBody = { userId: 'full-user', messages: [{ role: 'user', content: 'I live in Porto and I work at a bakery.' }, { role: 'user', content: 'My sister is called Rita.' }] };

describe('storage pre-check', () => {
  it('refuses an ingest with 429 storage before extracting or embedding anything, and stores nothing', async () => {
    await setStorage(fullBytes);
    const before = { ...calls };
    const res = await call(ingest.POST, 'POST', '/api/v1/ingest', { token: tenant.apiKey, body: ingestBody });
    expect(res.status).toBe(429);
    expect(res.headers.get('x-quota-exceeded')).toBe('storage');
    expect(res.body.detail).toMatch(/Storage limit exceeded/);
    expect(calls).toEqual(before);
    expect(await memories()).toBe(0);
  });

  it('refuses a stored memory with 429 storage before embedding it', async () => {
    await setStorage(fullBytes);
    const before = { ...calls };
    const res = await call(memory.POST, 'POST', '/api/v1/memory', { token: tenant.apiKey, body: { content: 'I prefer tea to coffee', external_user_id: 'full-user' } });
    expect(res.status).toBe(429);
    expect(res.headers.get('x-quota-exceeded')).toBe('storage');
    expect(calls).toEqual(before);
    expect(await memories()).toBe(0);
  });

  it('with room, the same requests extract, embed and store', async () => {
    await setStorage(0);
    const before = { ...calls };
    expect((await call(ingest.POST, 'POST', '/api/v1/ingest', { token: tenant.apiKey, body: ingestBody })).status).toBe(200);
    expect((await call(memory.POST, 'POST', '/api/v1/memory', { token: tenant.apiKey, body: { content: 'I prefer tea to coffee', external_user_id: 'full-user' } })).status).toBe(201);
    expect(calls.extracted).toBe(before.extracted + 1);
    expect(calls.embedded).toBeGreaterThan(before.embedded);
    expect(await memories()).toBeGreaterThanOrEqual(2);
  });
});

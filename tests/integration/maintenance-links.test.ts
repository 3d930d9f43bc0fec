// Link optimization's work per statement is bounded whatever an end user holds: the most recent memories only, a
// chunk of source memories per transaction, and the links equal an exact k-nearest-neighbour computation over them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext, type Ctx } from '@/lib/core/context';
import { toVectorLiteral, type Db } from '@/lib/db';
import { cosine } from '@/lib/memory/maintenance/clustering';
import { LINK_CHUNK, LINK_MEMORIES, LINK_NEIGHBOURS, LINK_SIMILARITY, rebuildLinks } from '@/lib/memory/maintenance/links';
import { accountIdOf, createAccount } from '@/tests/helpers/accounts';
import { startTestApp, type TestApp } from '@/tests/helpers/services';

let app: TestApp;
let accountId: string;

beforeAll(async () => {
  app = await startTestApp();
  accountId = await accountIdOf(app.services.db, await createAccount());
});
afterAll(() => app.stop());

/** Deterministic pseudo-random numbers (mulberry32), so a failure reproduces. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** `count` vectors around `topics` random centres; at noise 0.8 a pair of one topic is about LINK_SIMILARITY apart. */
function vectors(count: number, topics: number, seed: number, noise = 0.4): number[][] {
  const next = random(seed);
  const dimensions = app.services.embedder.dimensions;
  const centres = Array.from({ length: topics }, () => Array.from({ length: dimensions }, () => next() - 0.5));
  return Array.from({ length: count }, (_, i) => centres[i % topics]!.map((value) => value + (next() - 0.5) * noise));
}

/** Memories of one end user, the i-th stored i minutes after the first. */
async function seed(endUser: string, embeddings: number[][]): Promise<string[]> {
  const rows = await app.services.db.query<{ id: string }>(
    `insert into memories (account_id, end_user_id, content, category, created_at, updated_at, valid_from, embedding)
     select $1, $2, 'note ' || i, 'general', t, t, t, e::vector
     from unnest($3::text[]) with ordinality as u(e, i), lateral (select timestamptz '2026-01-01' + make_interval(mins => i::int) as t) d
     order by i returning id`,
    [accountId, endUser, embeddings.map((embedding) => toVectorLiteral(embedding))],
  );
  return rows.map((row) => row.id);
}

/** A context whose database records, per transaction, how many source memories got links in it. */
function recordingContext(): { ctx: Ctx; sourcesPerTransaction: number[] } {
  const sourcesPerTransaction: number[] = [];
  const db = app.services.db;
  const recording = (inner: Db, sources?: Set<string>): Db => ({
    kind: inner.kind,
    exec: (sql) => inner.exec(sql),
    close: () => inner.close(),
    query: async <Row,>(sql: string, params?: Parameters<Db['query']>[1]) => {
      const rows = await inner.query<Row>(sql, params);
      if (sources && /insert into memory_links/.test(sql)) for (const row of rows as { source_id: string }[]) sources.add(row.source_id);
      return rows;
    },
    transaction: (fn, options) =>
      inner.transaction(async (tx) => {
        const inThis = new Set<string>();
        const result = await fn(recording(tx, inThis));
        sourcesPerTransaction.push(inThis.size);
        return result;
      }, options),
  });
  const ctx = createContext({ ...app.services, db: recording(db) }, { account: { id: accountId, plan: 'enterprise' }, caller: { type: 'system', name: 'script' }, requestId: 'links-test' });
  return { ctx, sourcesPerTransaction };
}

const linksOf = (endUser: string) =>
  app.services.db.query<{ source_id: string; target_id: string; similarity: number }>(
    'select source_id, target_id, similarity from memory_links where account_id = $1 and end_user_id = $2 order by source_id, target_id',
    [accountId, endUser],
  );

describe('link optimization', () => {
  it('links only the most recent memories, a chunk of sources per transaction, exactly their nearest neighbours', async () => {
    const embeddings = vectors(40, 4, 7, 0.8);
    const ids = await seed('chunked', embeddings);
    const { ctx, sourcesPerTransaction } = recordingContext();
    const created = await rebuildLinks(ctx, 'chunked', { memories: 30, chunk: 10 });

    // The 30 most recent are the last 30 seeded; the 10 oldest neither link nor are linked to.
    const recent = ids.map((id, i) => ({ id, embedding: embeddings[i]! })).slice(10);
    const expected = recent.flatMap((source) =>
      recent
        .filter((target) => target.id !== source.id)
        .map((target) => ({ source_id: source.id, target_id: target.id, similarity: cosine(source.embedding, target.embedding) }))
        .sort((a, b) => b.similarity - a.similarity)
        .slice(0, LINK_NEIGHBOURS)
        .filter((link) => link.similarity >= LINK_SIMILARITY),
    );
    expect(expected.length).toBeGreaterThan(30); // the data has links to find
    expect(expected.length).toBeLessThan(30 * LINK_NEIGHBOURS); // and pairs below the threshold
    const links = await linksOf('chunked');
    expect(created).toBe(links.length);
    expect(links.map(({ source_id, target_id }) => `${source_id}>${target_id}`).sort()).toEqual(expected.map(({ source_id, target_id }) => `${source_id}>${target_id}`).sort());
    const expectedSimilarity = new Map(expected.map((link) => [`${link.source_id}>${link.target_id}`, link.similarity]));
    for (const link of links) expect(link.similarity).toBeCloseTo(expectedSimilarity.get(`${link.source_id}>${link.target_id}`)!, 4);

    expect(sourcesPerTransaction).toHaveLength(3);
    expect(Math.max(...sourcesPerTransaction)).toBeLessThanOrEqual(10);
  });

  it('replaces the links of memories that left the linked set (archived, or no longer among the most recent)', async () => {
    const embeddings = vectors(12, 2, 11);
    const ids = await seed('moving', embeddings);
    await rebuildLinks(recordingContext().ctx, 'moving', { memories: 12, chunk: 5 });
    expect(new Set((await linksOf('moving')).map((link) => link.source_id)).has(ids[0]!)).toBe(true);
    await app.services.db.query('update memories set archived_at = now() where id = $1', [ids[11]]);
    await rebuildLinks(recordingContext().ctx, 'moving', { memories: 10, chunk: 5 });
    const links = await linksOf('moving');
    // Linked now: ids[1..10] (the 10 most recent active ones).
    const linked = new Set(ids.slice(1, 11));
    expect(links.length).toBeGreaterThan(0);
    expect(links.every((link) => linked.has(link.source_id) && linked.has(link.target_id))).toBe(true);
  });

  it('with its defaults, bounds every transaction to LINK_CHUNK sources whatever the end user holds', async () => {
    expect(LINK_CHUNK).toBeLessThanOrEqual(100);
    expect(LINK_MEMORIES).toBeLessThanOrEqual(2_000);
    await seed('defaults', vectors(LINK_CHUNK * 2 + 30, 5, 3));
    const { ctx, sourcesPerTransaction } = recordingContext();
    await rebuildLinks(ctx, 'defaults');
    expect(sourcesPerTransaction).toHaveLength(3);
    expect(Math.max(...sourcesPerTransaction)).toBeLessThanOrEqual(LINK_CHUNK);
    expect(sourcesPerTransaction.reduce((sum, n) => sum + n, 0)).toBe(LINK_CHUNK * 2 + 30);
  });
});

// hybrid_match_memories must be fast whatever the planner's statistics say, and migration 0019 (which rewrote it
// without joins for that) must not change a single result. Work is measured from EXPLAIN ANALYZE's row counts,
// not from the clock: every plan node's actual rows × loops, summed, per scoped memory.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@/lib/db';
import { MIGRATIONS_DIR } from '@/lib/db/migrate';
import { createTestDatabase, testEmbedder, type TestDatabase } from '../helpers/services';

let database: TestDatabase;
let db: Db;

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
});
afterAll(async () => {
  await database?.stop();
});

const newAccount = async (name: string) => (await db.query<{ id: string }>('insert into accounts (name) values ($1) returning id', [name]))[0]!.id;

interface PlanNode {
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

/** Σ actual rows × loops over every node of the statement's plan (what it read, joined, sorted and grouped). */
async function rowsTouched(sql: string, params: unknown[]): Promise<number> {
  const [result] = await db.query<{ 'QUERY PLAN': unknown }>(`explain (analyze, format json) ${sql}`, params as never[]);
  const raw = result!['QUERY PLAN'];
  const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
  const sum = (node: PlanNode): number =>
    (node['Actual Rows'] ?? 0) * (node['Actual Loops'] ?? 1) + (node.Plans ?? []).reduce((total, child) => total + sum(child), 0);
  return sum(plan[0]!.Plan);
}

describe('hybrid search with stale planner statistics', () => {
  it('does work linear in the end user\'s memories (the joins of 0015 ran as nested loops: N × N rows)', async () => {
    const accountId = await newAccount('stale');
    // The index serves account-wide search only and costs time to build; this test is about one end user's scan.
    await db.exec('drop index if exists memories_embedding_hnsw_512');
    const vectorOf = (seed: string) => `(select array_agg(sin(${seed} * 7 + j))::vector(512) from generate_series(1, 512) j)`;
    // Statistics taken while the table was small, as the embedded database's 30-second refresh can leave them.
    await db.query(`insert into memories (account_id, end_user_id, content, embedding) select $1, 'small', 'x', ${vectorOf('i')} from generate_series(1, 20) i`, [accountId]);
    await db.exec('analyze memories');
    const total = 2_000;
    await db.query(
      `insert into memories (account_id, end_user_id, content, embedding)
       select $1, 'big', 'note ' || i || ' about topic ' || (i % 50), ${vectorOf('i')} from generate_series(1, $2::int) i`,
      [accountId, total],
    );
    expect(Number((await db.query<{ n: string }>("select count(*) as n from memories where end_user_id = 'big'"))[0]!.n)).toBe(total);
    const query = `[${Array.from({ length: 512 }, (_, j) => Math.cos(j)).join(',')}]`;
    const sql = `select * from hybrid_match_memories(p_account_id => $1, p_end_user_id => 'big', p_query_text => 'topic 7',
                   p_query_embedding => $2::vector, p_match_count => 200, p_candidate_count => 200)`;
    const rows = await db.query<{ id: string; keyword_rank: number | null }>(sql, [accountId, query]);
    expect(rows).toHaveLength(200);
    // Every memory matches 'topic': the BM25 list is as long as the scope, the worst case for a join against it.
    expect(rows.every((row) => row.keyword_rank !== null)).toBe(true);
    // Measured at 2,000 memories (2-term query), per memory: ~2,400 before 0019 (and growing with N); 31.2 after 0019,
    // which still rebuilt the BM25 query and term list for every memory; 26.4 after 0027, which builds them once.
    const touched = await rowsTouched(sql, [accountId, query]);
    expect(touched / total).toBeLessThan(28);
  });
});

describe('0019 returns what 0015 returned', () => {
  let accountId: string;

  // 0015's definition, unchanged but for its name, beside the current one.
  beforeAll(async () => {
    const text = fs.readFileSync(path.join(MIGRATIONS_DIR, '0015_drop_dead_functions.sql'), 'utf8');
    const definition = text.slice(text.indexOf('create or replace function hybrid_match_memories('));
    expect(definition).toMatch(/left join by_keyword/);
    await db.exec(definition.replace('function hybrid_match_memories(', 'function hybrid_match_memories_0015('));

    accountId = await newAccount('corpus');
    const corpus: { content: string; context?: string; agent?: string; category?: string; metadata?: object; archived?: boolean; noEmbedding?: boolean }[] = [
      { content: 'I live in Berlin with my partner Sam', category: 'personal', metadata: { source: 'chat' } },
      { content: 'I moved the couch to the living room window', context: 'we rearranged the flat in Berlin last weekend' },
      { content: 'My favourite food is ramen from the place near the office', category: 'preferences' },
      { content: 'I work as a nurse at the city hospital', category: 'work', agent: 'support-bot' },
      { content: 'I play the cello in a community orchestra on Tuesdays', category: 'hobbies' },
      { content: 'My sister Ana is getting married in June in Lisbon', context: 'wedding planning, flights to Portugal' },
      { content: 'I am allergic to peanuts', category: 'health', metadata: { source: 'form' } },
      { content: 'We adopted a dog called Pixel last spring', agent: 'support-bot' },
      { content: 'I prefer tea over coffee in the morning', category: 'preferences' },
      { content: 'I used to live in Hamburg before moving to Berlin', archived: true },
      { content: 'My daughter starts school in September', context: 'asked about school supplies and uniforms' },
      { content: 'I run a half marathon every autumn', category: 'hobbies' },
      { content: 'The car needs new tyres before winter', noEmbedding: true },
      { content: 'I am learning Japanese for a trip to Tokyo', category: 'goals' },
      { content: 'My manager is called Priya and she is great', category: 'work' },
      { content: 'I like jazz, especially Coltrane and Monk', category: 'preferences', agent: 'music-bot' },
      { content: 'Berlin winters are too dark for me', context: 'talking about moving somewhere sunnier' },
      { content: 'I have two cats and the dog', context: 'pets at home, Pixel and the cats get along' },
      { content: 'Our team ships the mobile app every two weeks', category: 'work', metadata: { source: 'chat' } },
      { content: 'I never eat before a morning run', category: 'health' },
      ...Array.from({ length: 40 }, (_, i) => ({ content: `note ${i} about ${['music', 'food', 'work', 'travel', 'pets'][i % 5]} and the weekend plans ${i % 7}` })),
    ];
    const embedder = testEmbedder();
    const vectors = await embedder.embed(corpus.map((m) => m.content));
    const contextVectors = await embedder.embed(corpus.map((m) => `${m.context ?? ''} ${m.content}`));
    const toLiteral = (v: number[]) => `[${v.join(',')}]`;
    for (const [i, m] of corpus.entries()) {
      await db.query(
        `insert into memories (account_id, end_user_id, agent_id, content, context, category, metadata, embedding, context_embedding, archived_at)
         values ($1, 'corpus-user', $2, $3, $4, $5, $6::jsonb, $7::vector, $8::vector, $9)`,
        [accountId, m.agent ?? null, m.content, m.context ?? null, m.category ?? null, JSON.stringify(m.metadata ?? {}),
         m.noEmbedding ? null : toLiteral(vectors[i]!), m.context ? toLiteral(contextVectors[i]!) : null, m.archived ? new Date().toISOString() : null],
      );
    }
    // A superseded memory is no candidate either.
    await db.query(`update memories set superseded_by = (select id from memories where content like 'I live in Berlin%') where content like 'Berlin winters%'`);
  });

  const queries = ['where do I live?', 'Berlin', 'what food do I like', 'tell me about my pets and the dog', 'work manager', 'music and jazz', 'weekend plans', 'tyres', 'zzz unknown words'];
  const variants: { name: string; args: Record<string, unknown> }[] = [
    { name: 'defaults of the app', args: { p_match_count: 20, p_candidate_count: 200 } },
    { name: 'few candidates', args: { p_match_count: 20, p_candidate_count: 3 } },
    { name: 'min similarity', args: { p_match_count: 20, p_candidate_count: 10, p_min_similarity: 0.3 } },
    { name: 'agent', args: { p_match_count: 20, p_candidate_count: 5, p_agent_id: 'support-bot' } },
    { name: 'categories', args: { p_match_count: 20, p_candidate_count: 4, p_categories: ['work', 'preferences'] } },
    { name: 'metadata', args: { p_match_count: 20, p_candidate_count: 4, p_metadata: JSON.stringify({ source: 'chat' }) } },
    { name: 'weights and BM25 constants', args: { p_match_count: 20, p_candidate_count: 6, p_vector_weight: 0.3, p_keyword_weight: 1.7, p_k1: 0.9, p_b: 0.4, p_context_weight: 0.5 } },
  ];

  it('the same rows, scores and order for every query and option', async () => {
    const [queryVectors] = [await testEmbedder().embed(queries)];
    let compared = 0;
    for (const [q, text] of queries.entries()) {
      for (const variant of variants) {
        const names = Object.keys(variant.args);
        const call = (fn: string) =>
          `select * from ${fn}(p_account_id => $1, p_end_user_id => 'corpus-user', p_query_text => $2, p_query_embedding => $3::vector, ${names
            .map((name, i) => `${name} => $${i + 4}${name === 'p_metadata' ? '::jsonb' : ''}`)
            .join(', ')})`;
        const params = [accountId, text, `[${queryVectors[q]!.join(',')}]`, ...Object.values(variant.args)] as never[];
        const before = await db.query(call('hybrid_match_memories_0015'), params);
        const after = await db.query(call('hybrid_match_memories'), params);
        expect(after, `${text} / ${variant.name}`).toEqual(before);
        compared += before.length;
      }
    }
    // The comparison is not vacuous: most calls return rows.
    expect(compared).toBeGreaterThan(queries.length * variants.length * 3);
  });

  it('the top 20 of the app\'s call differ between queries (the corpus ranks, it does not return one fixed list)', async () => {
    const vectors = await testEmbedder().embed(['where do I live?', 'music and jazz']);
    const top = async (text: string, v: number[]) =>
      (await db.query<{ id: string }>(
        `select id from hybrid_match_memories(p_account_id => $1, p_end_user_id => 'corpus-user', p_query_text => $2, p_query_embedding => $3::vector, p_match_count => 20)`,
        [accountId, text, `[${v.join(',')}]`],
      )).map((row) => row.id);
    const [live, jazz] = [await top('where do I live?', vectors[0]!), await top('music and jazz', vectors[1]!)];
    expect(live).toHaveLength(20);
    expect(live.slice(0, 5)).not.toEqual(jazz.slice(0, 5));
  });
});

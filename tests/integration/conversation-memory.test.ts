import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as contextRoute from '@/app/api/v1/context/route';
import * as ingestRoute from '@/app/api/v1/ingest/route';
import * as keys from '@/app/api/v1/keys/route';
import * as memoriesRoute from '@/app/api/v1/memories/route';
import * as memoryRoute from '@/app/api/v1/memories/[id]/route';
import * as historyRoute from '@/app/api/v1/memories/[id]/history/route';
import * as legacyMemory from '@/app/api/v1/memory/route';
import * as legacyMemoryById from '@/app/api/v1/memory/[memory_id]/route';
import * as searchRoute from '@/app/api/v1/search/route';
import * as statusRoute from '@/app/api/v1/status/route';
import * as usersRoute from '@/app/api/v1/users/[external_user_id]/route';
import { parseEnv } from '@/lib/env';
import { createLlm } from '@/lib/llm';
import { createOfflineLlm } from '@/lib/llm/offline';
import { createExtractor } from '@/lib/memory/ingest/extraction';
import { accountIdOf, createAccount, type TestAccount } from '@/tests/helpers/accounts';
import { startFakeLlmServer } from '@/tests/helpers/fake-llm-server';
import { call } from '@/tests/helpers/http';
import { startTestApp, type TestApp } from '@/tests/helpers/services';

let app: TestApp;
let llmServer: Awaited<ReturnType<typeof startFakeLlmServer>>;
let alice: TestAccount;
let bob: TestAccount;

beforeAll(async () => {
  app = await startTestApp();
  llmServer = await startFakeLlmServer();
  alice = await createAccount();
  bob = await createAccount();
});
afterAll(async () => {
  await llmServer.stop();
  await app.stop();
});
// Reset after each test too: a describe's beforeAll runs before the next beforeEach.
const useOffline = () => {
  app.services.llm = createOfflineLlm();
  app.services.extractor = createExtractor(app.services.llm);
};
beforeEach(useOffline);
afterEach(useOffline);

const ingest = (body: unknown, token = alice.apiKey) => call(ingestRoute.POST, 'POST', '/api/v1/ingest', { token, body });
const search = (body: unknown, token = alice.apiKey) => call(searchRoute.POST, 'POST', '/api/v1/search', { token, body });
const context = (body: unknown, token = alice.apiKey) => call(contextRoute.POST, 'POST', '/api/v1/context', { token, body });
const getMemory = (id: string, token = alice.apiKey) => call(memoryRoute.GET, 'GET', `/api/v1/memories/${id}`, { token, params: { id } });
const say = (content: string) => [{ role: 'user', content }];

describe('POST /v1/ingest (offline extraction)', () => {
  it('stores the reference example: one memory, the user and Bristol as entities, one edge', async () => {
    const res = await ingest({
      agentId: 'my-assistant',
      userId: 'user_123',
      messages: [
        { role: 'user', content: 'I just moved to Bristol' },
        { role: 'assistant', content: 'Welcome to Bristol!' },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ memoriesCreated: 1, entitiesExtracted: 2, edgesCreated: 1, extraction: 'offline' });
    expect(typeof res.body.processingMs).toBe('number');
    const memory = await getMemory(res.body.memories[0].id);
    expect(memory.body).toMatchObject({ content: 'I just moved to Bristol', category: 'location', entities: ['Bristol'], agentId: 'my-assistant', userId: 'user_123' });
    expect(memory.body.sourceMessageIds).toHaveLength(1);
    const edges = await app.services.db.query<{ relation: string }>('select relation from edges where memory_id = $1', [res.body.memories[0].id]);
    expect(edges.map((e) => e.relation)).toEqual(['lives_in']);
  });

  it('keeps the turn before as context and skips questions and small talk', async () => {
    const res = await ingest({
      userId: 'context-user',
      messages: [
        { role: 'assistant', content: 'What do you do for fun?' },
        { role: 'user', content: 'I play jazz piano with my band on Fridays.' },
        { role: 'user', content: 'What time is it?' },
        { role: 'user', content: 'thanks!' },
      ],
    });
    expect(res.body.memoriesCreated).toBe(1);
    const memory = await getMemory(res.body.memories[0].id);
    expect(memory.body).toMatchObject({ context: 'What do you do for fun?\nWhat time is it?', category: 'hobby' });
  });

  it('an update from a named speaker supersedes only that speaker\'s fact, never another speaker\'s', async () => {
    const res = await ingest({
      userId: 'two-speakers',
      messages: [
        { role: 'user', name: 'Ann', content: 'I live in London near the river.' },
        { role: 'user', name: 'Bo', content: 'I just moved to Bristol with my partner.' },
      ],
    });
    expect(res.body).toMatchObject({ memoriesCreated: 2, memoriesSuperseded: 0 });
    const later = await ingest({ userId: 'two-speakers', messages: [{ role: 'user', name: 'Ann', content: 'I just moved to Leeds for work.' }] });
    expect(later.body.memoriesSuperseded).toBe(1);
    const current = await search({ userId: 'two-speakers', query: 'where does everyone live', limit: 10 });
    expect(current.body.memories.map((m: { content: string }) => m.content).sort()).toEqual(['I just moved to Bristol with my partner.', 'I just moved to Leeds for work.']);
  });

  it('supersedes an older fact without losing it: history, search and context follow the new one', async () => {
    const first = await ingest({ userId: 'mover', messages: say('I live in London near the river.') });
    const second = await ingest({ userId: 'mover', messages: say('I just moved to Bristol with my partner.') });
    expect(second.body.memoriesSuperseded).toBe(1);
    const oldId = first.body.memories[0].id;
    const newId = second.body.memories[0].id;
    const old = await getMemory(oldId);
    expect(old.body.supersededBy).toBe(newId);
    expect(old.body.validTo).toMatch(/^\d{4}-/);

    const history = await call(historyRoute.GET, 'GET', `/api/v1/memories/${newId}/history`, { token: alice.apiKey, params: { id: newId } });
    expect(history.body.history.map((m: { id: string }) => m.id)).toEqual([oldId, newId]);
    expect(history.body.current).toBe(newId);

    const found = await search({ userId: 'mover', query: 'where do I live' });
    expect(found.body.memories.map((m: { id: string }) => m.id)).toEqual([newId]);
    const block = await context({ userId: 'mover', messages: say('Where do I live?') });
    expect(block.body.text).toContain('Bristol');
    expect(block.body.text).not.toContain('London');

    const listed = await call(memoriesRoute.GET, 'GET', '/api/v1/memories', { token: alice.apiKey, query: { userId: 'mover', includeSuperseded: 'true' } });
    expect(listed.body.total).toBe(2);
  });

  it('merges exact and near duplicates instead of storing twice', async () => {
    await ingest({ userId: 'dup', messages: say('I am allergic to peanuts.') });
    const again = await ingest({ userId: 'dup', messages: say('I am  allergic to peanuts.') });
    expect(again.body).toMatchObject({ memoriesCreated: 0, duplicatesMerged: 1 });
    const listed = await call(memoriesRoute.GET, 'GET', '/api/v1/memories', { token: alice.apiKey, query: { userId: 'dup' } });
    expect(listed.body.total).toBe(1);
    expect(listed.body.memories[0].sourceMessageIds).toHaveLength(2);
  });

  it.each([
    [{ userId: 'u', messages: [] }, 'messages'],
    [{ userId: 'u' }, 'messages'],
    [{ messages: say('hello there friend') }, 'userId'],
    [{ userId: 'u', messages: [{ role: 'robot', content: 'x' }] }, 'messages'],
    [{ userId: 'u', messages: say('x'), agentId: '' }, 'agentId'],
  ])('rejects bad body %# with 422', async (body, field) => {
    const res = await ingest(body);
    expect(res.status).toBe(422);
    expect(res.body.details[0].loc[1]).toBe(field);
  });
});

describe('POST /v1/ingest explains its writes', () => {
  it('says per message what happened and why, and the history keeps the reason', async () => {
    const first = await ingest({ userId: 'explained', messages: [{ role: 'assistant', content: 'Where do you live?' }, { role: 'user', content: 'I live in Berlin.' }, { role: 'user', content: 'thanks!' }] });
    expect(first.body.decisions).toEqual([
      { messageIndex: 0, action: 'skipped', memoryId: null, reason: expect.stringMatching(/only the user’s own messages/), similarity: null, superseded: [] },
      { messageIndex: 1, action: 'created', memoryId: first.body.memories[0].id, reason: 'a new fact (location)', similarity: null, superseded: [] },
      { messageIndex: 2, action: 'skipped', memoryId: null, reason: expect.stringMatching(/small talk/), similarity: null, superseded: [] },
    ]);
    const berlin = first.body.memories[0].id;
    const again = await ingest({ userId: 'explained', messages: say('I live in Berlin.') });
    expect(again.body.decisions[0]).toMatchObject({ action: 'merged', memoryId: berlin, similarity: 1, reason: 'the same text is already remembered' });
    const moved = await ingest({ userId: 'explained', messages: say('I moved to Munich in May.') });
    expect(moved.body.decisions[0]).toMatchObject({ action: 'created', reason: 'a new fact that replaces an older memory (location:home)', superseded: [{ id: berlin, reason: 'a newer statement set location:home' }] });
    const history = await call(historyRoute.GET, 'GET', `/api/v1/memories/${berlin}/history`, { token: alice.apiKey, params: { id: berlin } });
    const old = history.body.history.find((entry: { id: string }) => entry.id === berlin);
    expect(old).toMatchObject({ supersededBy: moved.body.memories[0].id, supersededReason: 'a newer statement set location:home' });
    expect(history.body.history.find((entry: { id: string }) => entry.id !== berlin).supersededReason).toBeNull();
  });
});

describe('POST /v1/ingest with an LLM (OpenAI-compatible server)', () => {
  it('sends the conversation and existing memories, stores the structured facts, applies supersedes', async () => {
    const before = await ingest({ userId: 'llm-user', messages: say('I work at Initech as a developer.') });
    const oldId = before.body.memories[0].id;
    app.services.llm = createLlm(parseEnv({ LLM_PROVIDER: 'openai', OPENAI_BASE_URL: `${llmServer.url}/v1`, OPENAI_API_KEY: 'sk-test', LLM_MODEL: 'fake-model' }));
    app.services.extractor = createExtractor(app.services.llm);
    llmServer.setBehaviour({
      kind: 'reply',
      text: JSON.stringify({
        facts: [
          {
            content: 'User works at Globex as a staff engineer',
            category: 'work',
            slot: 'work:employer',
            entities: [{ name: 'Globex', type: 'organization' }],
            relations: [{ source: 'user', relation: 'works_at', target: 'Globex' }],
            sourceMessage: 0,
            supersedes: [oldId, '00000000-0000-0000-0000-000000000000'],
            duplicateOf: null,
          },
          { content: 'User has a daughter named Mia', category: 'relationship', slot: null, entities: [{ name: 'Mia', type: 'person' }], relations: [{ source: 'user', relation: 'daughter', target: 'Mia' }], sourceMessage: 0, supersedes: [], duplicateOf: null },
        ],
      }),
    });
    const res = await ingest({ userId: 'llm-user', messages: say('Big news: I joined Globex as a staff engineer, and Mia started school.') });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ memoriesCreated: 2, edgesCreated: 2, memoriesSuperseded: 1, extraction: 'llm' });
    const prompt = JSON.parse(llmServer.requests.at(-1)!.body.messages.at(-1).content);
    expect(prompt.messages[0].content).toContain('joined Globex');
    expect(prompt.existing_memories.map((m: { id: string }) => m.id)).toContain(oldId);
    expect((await getMemory(oldId)).body.supersededBy).toBe(res.body.memories[0].id);
    const stats = await call(statusRoute.GET, 'GET', '/api/v1/status', { token: alice.apiKey });
    expect(stats.body.tokensUsed).toBeGreaterThan(0);
  });
});

describe('POST /v1/context', () => {
  beforeAll(async () => {
    await ingest({ userId: 'ctx', messages: [{ role: 'user', content: 'I am vegetarian and I love spicy Thai food.' }, { role: 'user', content: 'My sister Anna lives in Lisbon.' }, { role: 'user', content: 'I run marathons every spring.' }] });
  });

  it('returns the documented fields and a markdown block that fits the budget', async () => {
    const res = await context({ userId: 'ctx', messages: say('What should I cook for dinner tonight?'), tokenBudget: 2000 });
    expect(res.status).toBe(200);
    expect(res.body.text).toMatch(/^## What you know about ctx\n### \d{4}-\d{2}-\d{2}\n- /);
    expect(res.body).toMatchObject({ memoriesUsed: 3, tokenBudget: 2000 });
    expect(res.body.tokensUsed).toBeLessThanOrEqual(2000);
    expect(res.body.lines).toHaveLength(3);
    expect(typeof res.body.retrievalMs).toBe('number');
  });

  it('says what the budget left out and never exceeds it', async () => {
    const res = await context({ userId: 'ctx', messages: say('Tell me about my family'), tokenBudget: 30 });
    expect(res.body.tokensUsed).toBeLessThanOrEqual(30);
    expect(res.body.memoriesUsed + res.body.omitted.length).toBe(3);
    expect(res.body.omitted.length).toBeGreaterThan(0);
  });

  it('gives an empty block for a budget too small for anything', async () => {
    const res = await context({ userId: 'ctx', messages: say('anything'), tokenBudget: 5 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ text: '', memoriesUsed: 0, tokensUsed: 0 });
  });

  it('rejects a negative budget', async () => {
    expect((await context({ userId: 'ctx', messages: say('x'), tokenBudget: -1 })).status).toBe(422);
  });
});

describe('POST /v1/search', () => {
  beforeAll(async () => {
    await ingest({ userId: 'searcher', messages: say('I moved to Bristol last spring.'), metadata: { source: 'onboarding' } });
    await ingest({ userId: 'searcher', messages: say('I love hiking in the Brecon Beacons.') });
  });

  it('returns the reference fields, filtered by category, with explain', async () => {
    const res = await search({ agentId: undefined, userId: 'searcher', query: 'Bristol', limit: 10, categories: ['location', 'preference'], explain: true });
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(res.body.memories.length);
    const top = res.body.memories[0];
    expect(top).toMatchObject({ content: 'I moved to Bristol last spring.', category: 'location' });
    expect(Object.keys(top.explain).sort()).toEqual(['conversation', 'cosineSimilarity', 'entity', 'importance', 'keyword', 'recency', 'semantic', 'temporal']);
    expect(top.explain.keyword).toBeGreaterThan(0);
    const onlyHobby = await search({ userId: 'searcher', query: 'Bristol', categories: ['hobby'] });
    expect(onlyHobby.body.memories.every((m: { category: string }) => m.category === 'hobby')).toBe(true);
  });

  it('filters by metadata', async () => {
    const res = await search({ userId: 'searcher', query: 'where', metadata: { source: 'onboarding' } });
    expect(res.body.memories.map((m: { content: string }) => m.content)).toEqual(['I moved to Bristol last spring.']);
  });
});

describe('retrieval: context vectors', () => {
  it('an ingested turn is ranked by its vector blended with the turn before; the reported similarity stays its own', async () => {
    const res = await ingest({
      userId: 'ctx-vectors',
      messages: [
        { role: 'user', name: 'Ann', content: 'I spent the whole week reading about adoption agencies.' },
        { role: 'user', name: 'Bo', content: 'The one in Leeds was the friendliest by far.' },
      ],
    });
    expect(res.body.memoriesCreated).toBe(2);
    const rows = await app.services.db.query<{ content: string; has_context: boolean; same: boolean }>(
      `select content, context_embedding is not null as has_context, coalesce(context_embedding::text = embedding::text, false) as same
       from memories where account_id = (select account_id from api_keys where id = $1) and end_user_id = 'ctx-vectors' order by content`,
      [alice.keyId],
    );
    expect(rows).toEqual([
      { content: 'I spent the whole week reading about adoption agencies.', has_context: false, same: false },
      { content: 'The one in Leeds was the friendliest by far.', has_context: true, same: false },
    ]);
    const query = 'Which adoption agency was friendliest?';
    const found = await search({ userId: 'ctx-vectors', query, explain: true });
    const leeds = found.body.memories.find((m: { content: string }) => m.content.includes('Leeds'));
    const [vector] = await app.services.embedder.embed([query]);
    const [own] = await app.services.db.query<{ similarity: number }>(
      `select 1 - (embedding <=> $2::vector) as similarity from memories where account_id = (select account_id from api_keys where id = $1) and end_user_id = 'ctx-vectors' and content like '%Leeds%'`,
      [alice.keyId, `[${vector!.join(',')}]`],
    );
    expect(leeds.explain.cosineSimilarity).toBeCloseTo(Number(own!.similarity), 3);

    // The vector list ranks by the context vector: whichever memory's context vector is the query's own comes first.
    const boats = 'sailing boats on a windy lake';
    const [boatsVector] = await app.services.embedder.embed([boats]);
    for (const target of ['adoption', 'Leeds']) {
      await app.services.db.query(
        `update memories set context_embedding = case when content like $3 then $2::vector else null end
         where account_id = (select account_id from api_keys where id = $1) and end_user_id = 'ctx-vectors'`,
        [alice.keyId, `[${boatsVector!.join(',')}]`, `%${target}%`],
      );
      const res = await search({ userId: 'ctx-vectors', query: boats, explain: true });
      const [top, other] = res.body.memories as { content: string; explain: { semantic: number } }[];
      expect(top!.content).toContain(target);
      expect(top!.explain.semantic).toBeGreaterThan(other!.explain.semantic);
    }
  });
});

describe('retrieval: score fusion (hybrid_match_memories, callable through supabase.rpc)', () => {
  it('scales each list to 0..1 over the end user, averages them by weight, and keeps the own cosine as similarity', async () => {
    for (const fact of ['I grow tomatoes and basil on my balcony.', 'My balcony faces the harbour in Bristol.', 'I play the cello in a quartet.']) {
      await ingest({ userId: 'fusion', messages: say(fact) });
    }
    const query = 'What grows on the balcony?';
    const [vector] = await app.services.embedder.embed([query]);
    const accountId = await accountIdOf(app.services.db, alice);
    type Row = { content: string; similarity: number; keyword_rank: number | null; vector_part: number; keyword_part: number; fused_score: number };
    const fused = (vectorWeight: number, keywordWeight: number) =>
      app.services.db.query<Row>('select * from hybrid_match_memories($1, $2, $3, $4::vector, 10, 50, $5, $6)', [accountId, 'fusion', query, `[${vector!.join(',')}]`, vectorWeight, keywordWeight]);
    const rows = await fused(1, 1);
    expect(rows).toHaveLength(3);
    // The nearest memory has vector part 1, the others lose their distance from it relative to the spread (at
    // least 0.25, so a small spread among few memories is not blown up to 0..1); the best BM25 match has keyword part 1.
    const sims = rows.map((r) => Number(r.similarity));
    const spread = Math.max(Math.max(...sims) - Math.min(...sims), 0.25);
    for (const row of rows) expect(row.vector_part).toBeCloseTo(1 - (Math.max(...sims) - Number(row.similarity)) / spread, 6);
    expect(Math.max(...rows.map((r) => r.vector_part))).toBeCloseTo(1, 10);
    expect(Math.max(...rows.map((r) => r.keyword_part))).toBeCloseTo(1, 10);
    const cello = rows.find((r) => r.content.includes('cello'))!;
    expect(cello).toMatchObject({ keyword_rank: null, keyword_part: 0 });
    for (const row of rows) expect(row.fused_score).toBeCloseTo((row.vector_part + row.keyword_part) / 2, 10);
    expect(rows.map((r) => r.fused_score)).toEqual([...rows.map((r) => r.fused_score)].sort((a, b) => b - a));
    expect(rows[0]!.content).toContain('tomatoes');
    // Weights move the fused score between the two lists; similarity stays the memory's own cosine.
    for (const row of await fused(0, 1)) expect(row.fused_score).toBeCloseTo(row.keyword_part, 10);
    for (const row of await fused(1, 0)) expect(row.fused_score).toBeCloseTo(row.vector_part, 10);
    const [own] = await app.services.db.query<{ similarity: number }>(
      `select 1 - (embedding <=> $3::vector) as similarity from memories where account_id = $1 and end_user_id = $2 and content like '%cello%'`,
      [accountId, 'fusion', `[${vector!.join(',')}]`],
    );
    expect(cello.similarity).toBeCloseTo(Number(own!.similarity), 10);

    // Two memories close in meaning to the query: their small cosine gap stays small (min-max made it 1 against 0).
    for (const fact of ['I grow tomatoes on my balcony.', 'My balcony garden has basil and mint.']) await ingest({ userId: 'fusion-small', messages: say(fact) });
    const few = await app.services.db.query<Row>('select * from hybrid_match_memories($1, $2, $3, $4::vector, 10, 50)', [accountId, 'fusion-small', query, `[${vector!.join(',')}]`]);
    expect(few).toHaveLength(2);
    const gap = Math.abs(Number(few[0]!.similarity) - Number(few[1]!.similarity));
    expect(gap).toBeLessThan(0.25);
    expect(Math.min(...few.map((r) => r.vector_part))).toBeCloseTo(1 - gap / 0.25, 6);
  });
});

describe('retrieval: BM25 (bm25_match_memories)', () => {
  it('scores Okapi BM25 over the end user\'s memories, an occurrence in the context counting 0.3', async () => {
    const accountId = await accountIdOf(app.services.db, alice);
    const memories = [
      { content: 'jazz piano jazz', context: null, tf: { jazz: 2, piano: 1 } },
      { content: 'piano lessons on weekends', context: 'do you like jazz?', tf: { jazz: 0.3, piano: 1 } },
      { content: 'jazz bar', context: 'jazz night', tf: { jazz: 1.3, piano: 0 } },
      { content: 'I bought a used car', context: null, tf: { jazz: 0, piano: 0 } },
    ];
    const ids: string[] = [];
    for (const memory of memories) {
      const [row] = await app.services.db.query<{ id: string }>(
        `insert into memories (account_id, end_user_id, content, context) values ($1, 'bm25', $2, $3) returning id`,
        [accountId, memory.content, memory.context],
      );
      ids.push(row!.id);
    }
    const lengths = (await app.services.db.query<{ id: string; dl: number }>(`select id, length(fts) as dl from memories where end_user_id = 'bm25' and account_id = $1`, [accountId])).reduce<Record<string, number>>((all, row) => ({ ...all, [row.id]: row.dl }), {});
    const n = memories.length;
    const avgdl = Object.values(lengths).reduce((a, b) => a + b, 0) / n;
    const [k1, b] = [1.2, 0.75];
    const expected = memories.map((memory, i) => {
      let score = 0;
      for (const term of ['jazz', 'piano'] as const) {
        const tf = memory.tf[term];
        if (tf === 0) continue;
        const df = memories.filter((m) => m.tf[term] > 0).length;
        score += (Math.log(1 + (n - df + 0.5) / (df + 0.5)) * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * lengths[ids[i]!]!) / avgdl));
      }
      return { id: ids[i]!, score };
    });
    const rows = await app.services.db.query<{ id: string; score: number; rank: number }>(`select * from bm25_match_memories($1, 'bm25', 'Jazz and piano?', 10)`, [accountId]);
    const matching = expected.filter((e) => e.score > 0).sort((x, y) => y.score - x.score);
    expect(rows.map((r) => r.id)).toEqual(matching.map((e) => e.id));
    rows.forEach((row, i) => {
      expect(row.score).toBeCloseTo(matching[i]!.score, 10);
      expect(row.rank).toBe(i + 1);
    });
    expect(await app.services.db.query(`select * from bm25_match_memories($1, 'bm25', 'the and of', 10)`, [accountId])).toEqual([]);
  });
});

describe('retrieval: speakers', () => {
  it('a turn is about its speaker: the person it only addresses gets no entity boost from it', async () => {
    const res = await ingest({
      userId: 'painters',
      messages: [
        { role: 'user', name: 'Ann', content: 'I painted a portrait of my grandmother for her birthday.' },
        { role: 'user', name: 'Bo', content: 'Thanks, Ann! I painted a lighthouse at sunset last week.' },
      ],
    });
    expect(res.body.memoriesCreated).toBe(2);
    const found = await search({ userId: 'painters', query: 'What did Ann paint?', explain: true });
    const [first, second] = found.body.memories as { content: string; explain: { entity: number; keyword: number } }[];
    expect(first!.content).toContain('portrait of my grandmother');
    expect(first!.explain.entity).toBeGreaterThan(0);
    // Bo's turn names Ann (and matches her name as a keyword) but is Bo's painting.
    expect(second!.content).toContain('lighthouse');
    expect(second!.explain.keyword).toBeGreaterThan(first!.explain.keyword);
    expect(second!.explain.entity).toBe(0);
  });
});

describe('retrieval: dates', () => {
  it('dates an imported conversation by its timestamp, refuses a future one, and ranks by the period a query names', async () => {
    const march = await ingest({ userId: 'dated', timestamp: '2023-03-14T09:30:00Z', messages: say('We planted tomatoes in the garden with the kids.') });
    expect(march.status).toBe(200);
    await ingest({ userId: 'dated', timestamp: '2023-08-02T18:00:00+02:00', messages: say('We planted sunflowers in the garden with the kids.') });
    await ingest({ userId: 'dated', messages: say('We planted basil in the garden with the kids.') });
    expect((await getMemory(march.body.memories[0].id)).body.createdAt).toBe('2023-03-14T09:30:00.000Z');

    const future = await ingest({ userId: 'dated', timestamp: '2999-01-01T00:00:00Z', messages: say('A message from the future.') });
    expect(future.status).toBe(422);
    expect(future.body.details[0].loc).toEqual(['body', 'timestamp']);
    const notADate = await ingest({ userId: 'dated', timestamp: 'last tuesday', messages: say('Not a date.') });
    expect(notADate.status).toBe(422);
    expect(notADate.body.details).toEqual([expect.objectContaining({ loc: ['body', 'timestamp'], msg: 'Invalid ISO datetime' })]);

    for (const [query, expected] of [['What did we plant in the garden in March 2023?', 'tomatoes'], ['What did we plant in the garden on 2 August, 2023?', 'sunflowers']] as const) {
      const res = await search({ userId: 'dated', query, explain: true });
      const [top, ...rest] = res.body.memories as { content: string; explain: { temporal: number } }[];
      expect(top!.content).toContain(expected);
      expect(top!.explain.temporal).toBeGreaterThan(0);
      for (const other of rest) expect(other.explain.temporal).toBe(0);
    }
    const undated = await search({ userId: 'dated', query: 'What did we plant in the garden?', explain: true });
    for (const memory of undated.body.memories) expect(memory.explain.temporal).toBe(0);
  });

  it('an imported older conversation never supersedes a newer fact: it becomes that fact\'s history', async () => {
    const current = await ingest({ userId: 'history-import', messages: say('I live in Bristol now.') });
    const old = await ingest({ userId: 'history-import', timestamp: '2020-05-01T12:00:00Z', messages: say('I live in London.') });
    expect(old.body.memoriesSuperseded).toBe(0);
    const [currentId, oldId] = [current.body.memories[0].id, old.body.memories[0].id];
    expect((await getMemory(currentId)).body.supersededBy ?? null).toBeNull();
    expect((await getMemory(oldId)).body.supersededBy).toBe(currentId);
    const found = await search({ userId: 'history-import', query: 'Where do I live?' });
    expect(found.body.memories.map((m: { id: string }) => m.id)).toEqual([currentId]);
    // A newer import still supersedes as before.
    const newer = await ingest({ userId: 'history-import', messages: say('I just moved to Leeds.') });
    expect(newer.body.memoriesSuperseded).toBe(1);
  });
});

describe('memories CRUD, deletion and end users', () => {
  it('pages with page/pageSize/total', async () => {
    for (const fact of ['I collect vintage stamps from Peru.', 'My favourite band is Radiohead.', 'I drive a blue Volvo estate.']) await ingest({ userId: 'pager', messages: say(fact) });
    const page = await call(memoriesRoute.GET, 'GET', '/api/v1/memories', { token: alice.apiKey, query: { userId: 'pager', page: 2, pageSize: 2 } });
    expect(page.body).toMatchObject({ total: 3, page: 2, pageSize: 2 });
    expect(page.body.memories).toHaveLength(1);
    expect((await call(memoriesRoute.GET, 'GET', '/api/v1/memories', { token: alice.apiKey, query: { page: 0 } })).status).toBe(422);
  });

  it('deletes a memory with its links, edges and orphaned entities', async () => {
    const res = await ingest({ userId: 'deleter', messages: say('I work at Umbrella Corp in Raccoon City.') });
    const id = res.body.memories[0].id;
    const deleted = await call(memoryRoute.DELETE, 'DELETE', `/api/v1/memories/${id}`, { token: alice.apiKey, params: { id } });
    expect(deleted.body).toEqual({ deleted: true });
    const left = await app.services.db.query<{ n: number }>(
      `select (select count(*) from memory_entities where memory_id = $1)::int + (select count(*) from edges where memory_id = $1)::int
         + (select count(*) from entities where end_user_id = 'deleter')::int as n`,
      [id],
    );
    expect(left[0]!.n).toBe(0);
    expect((await getMemory(id)).status).toBe(404);
  });

  it('DELETE /v1/users/{id} removes everything of one end user and says how much', async () => {
    await ingest({ userId: 'leaver@example.com', messages: say('I live in Paris with my dog Rex.') });
    await call(legacyMemory.POST, 'POST', '/api/v1/memory', { token: alice.apiKey, body: { content: 'Leaver likes croissants', external_user_id: 'leaver@example.com' } });
    const res = await call(usersRoute.DELETE, 'DELETE', '/api/v1/users/leaver@example.com', { token: alice.apiKey, params: { external_user_id: 'leaver@example.com' } });
    expect(res.status).toBe(200);
    expect(res.body.deleted).toMatchObject({ memories: 2, chat_messages: 1 });
    expect(res.body.deleted.entities).toBeGreaterThanOrEqual(2);
    const rows = await app.services.db.query<{ n: number }>(
      `select ((select count(*) from memories where end_user_id = $1) + (select count(*) from entities where end_user_id = $1)
        + (select count(*) from edges where end_user_id = $1) + (select count(*) from chat_messages where end_user_id = $1))::int as n`,
      ['leaver@example.com'],
    );
    expect(rows[0]!.n).toBe(0);
  });

  it('GET /v1/status reports m3mory fields', async () => {
    const res = await call(statusRoute.GET, 'GET', '/api/v1/status', { token: alice.apiKey });
    expect(Object.keys(res.body)).toEqual(expect.arrayContaining(['plan', 'memoriesStored', 'storageUsedMb', 'storageLimitMb', 'requestsToday', 'rateLimitPerMin', 'tokensUsed', 'tokenLimit', 'searchesUsed', 'searchLimit']));
    expect(res.body).toMatchObject({ plan: 'free', rateLimitPerMin: 30 });
    expect(res.body.memoriesStored).toBeGreaterThan(0);
  });
});

describe('isolation and key scopes', () => {
  it("another account sees nothing of alice's end users on any endpoint", async () => {
    const own = await ingest({ userId: 'shared-id', messages: say('Alice account secret: I own a sailboat called Nimbus.') });
    const id = own.body.memories[0].id;
    expect((await search({ userId: 'shared-id', query: 'sailboat Nimbus' }, bob.apiKey)).body.memories).toEqual([]);
    expect((await context({ userId: 'shared-id', messages: say('sailboat') }, bob.apiKey)).body.text).toBe('');
    expect((await call(memoriesRoute.GET, 'GET', '/api/v1/memories', { token: bob.apiKey, query: { userId: 'shared-id' } })).body.total).toBe(0);
    expect((await getMemory(id, bob.apiKey)).status).toBe(404);
    expect((await call(historyRoute.GET, 'GET', `/api/v1/memories/${id}/history`, { token: bob.apiKey, params: { id } })).status).toBe(404);
    expect((await call(memoryRoute.DELETE, 'DELETE', `/api/v1/memories/${id}`, { token: bob.apiKey, params: { id } })).status).toBe(404);
    const wiped = await call(usersRoute.DELETE, 'DELETE', '/api/v1/users/shared-id', { token: bob.apiKey, params: { external_user_id: 'shared-id' } });
    expect(wiped.body.deleted.memories).toBe(0);
    expect((await getMemory(id)).status).toBe(200);
  });

  it('a read-only key can search but gets 403 for writes', async () => {
    const created = await call(keys.POST, 'POST', '/api/v1/keys', { token: alice.accessToken, body: { name: 'Read only', scopes: ['read'] } });
    const readKey = created.body.api_key;
    expect((await search({ userId: 'searcher', query: 'Bristol' }, readKey)).status).toBe(200);
    const denied = await ingest({ userId: 'searcher', messages: say('I should not be stored.') }, readKey);
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({ detail: 'API key does not have access to this resource' });
    expect((await call(legacyMemory.POST, 'POST', '/api/v1/memory', { token: readKey, body: { content: 'nope nope', external_user_id: 'x' } })).status).toBe(403);
  });

  it('an agent-scoped key works only with its agent', async () => {
    const created = await call(keys.POST, 'POST', '/api/v1/keys', { token: alice.accessToken, body: { name: 'Agent', agent_id: 'support-bot' } });
    const agentKey = created.body.api_key;
    const stored = await ingest({ userId: 'agent-user', messages: say('I prefer email over phone calls.') }, agentKey);
    expect(stored.status).toBe(200);
    expect((await getMemory(stored.body.memories[0].id)).body.agentId).toBe('support-bot');
    expect((await ingest({ agentId: 'sales-bot', userId: 'agent-user', messages: say('I like phone calls actually.') }, agentKey)).status).toBe(403);
    await ingest({ agentId: 'sales-bot', userId: 'agent-user', messages: say('I am shopping for a new laptop.') });
    const seen = await search({ userId: 'agent-user', query: 'laptop email phone' }, agentKey);
    expect(seen.body.memories.map((m: { agentId: string }) => m.agentId)).toEqual(['support-bot']);
    expect((await call(usersRoute.DELETE, 'DELETE', '/api/v1/users/agent-user', { token: agentKey, params: { external_user_id: 'agent-user' } })).status).toBe(403);
    const salesMemory = (await call(memoriesRoute.GET, 'GET', '/api/v1/memories', { token: alice.apiKey, query: { userId: 'agent-user', agentId: 'sales-bot' } })).body.memories[0].id;
    const denied = await call(legacyMemoryById.DELETE, 'DELETE', `/api/v1/memory/${salesMemory}`, { token: agentKey, params: { memory_id: salesMemory } });
    expect(denied.status).toBe(404);
    expect((await getMemory(salesMemory)).status).toBe(200);
    const ownMemory = stored.body.memories[0].id;
    expect((await call(legacyMemoryById.DELETE, 'DELETE', `/api/v1/memory/${ownMemory}`, { token: agentKey, params: { memory_id: ownMemory } })).status).toBe(200);
  });

  it('keys created without scopes keep full access', async () => {
    expect((await ingest({ userId: 'full', messages: say('I have full access as a key.') })).status).toBe(200);
  });
});

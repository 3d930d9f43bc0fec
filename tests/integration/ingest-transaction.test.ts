// The write transaction of POST /v1/ingest issues a fixed number of statements whatever the number of messages: on
// embedded PGlite a transaction holds the one database session for every tenant, so a 30-message ingest must not hold
// it for hundreds of round trips (it did: a statement or more per message, fact, entity and edge).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ingestRoute from '@/app/api/v1/ingest/route';
import * as memoryRoute from '@/app/api/v1/memories/[id]/route';
import type { Db } from '@/lib/db';
import { accountIdOf, createAccount, type TestAccount } from '@/tests/helpers/accounts';
import { call } from '@/tests/helpers/http';
import { startTestApp, type TestApp } from '@/tests/helpers/services';

let app: TestApp;
let alice: TestAccount;
let original: Db;
/** Statements run inside each transaction, in order of the transactions. */
const transactions: string[][] = [];

/** The same database, recording every statement run inside a transaction. */
function recording(db: Db): Db {
  const inTransaction = (tx: Db, statements: string[]): Db => ({
    ...tx,
    kind: tx.kind,
    query: (sql, params) => {
      statements.push(sql);
      return tx.query(sql, params);
    },
    transaction: (fn, options) => tx.transaction((inner) => fn(inTransaction(inner, statements)), options),
  });
  return {
    kind: db.kind,
    query: (sql, params) => db.query(sql, params),
    exec: (sql) => db.exec(sql),
    close: () => db.close(),
    transaction: (fn, options) =>
      db.transaction((tx) => {
        const statements: string[] = [];
        transactions.push(statements);
        return fn(inTransaction(tx, statements));
      }, options),
  };
}

beforeAll(async () => {
  app = await startTestApp();
  alice = await createAccount();
  original = app.services.db;
  app.services.db = recording(original);
});
afterAll(async () => {
  app.services.db = original;
  await app.stop();
});

const ingest = (body: unknown) => call(ingestRoute.POST, 'POST', '/api/v1/ingest', { token: alice.apiKey, body });
/** Facts unlike each other (no two are near duplicates), each naming people or places. */
const FACTS = [
  'My sister Marta teaches chemistry in Lisbon.',
  'Tomasz, my oldest friend, restores vintage motorbikes in Krakow.',
  'I bought a sailing boat from Ines in Porto last spring.',
  'My manager Kofi runs the data team from our Accra office.',
  'Yuki invited me to her wedding in Kyoto next April.',
  'I learned to make dumplings from Priya at a cooking class in Leeds.',
  'Lars and I hiked the Kungsleden trail across northern Sweden.',
  'My cousin Amara is studying medicine at the University of Nairobi.',
  'Diego fixed my laptop at his repair shop in Valencia.',
  'I volunteer at the Dublin food bank with Sven on Saturdays.',
  'My grandmother Rosa still grows tomatoes in her garden in Naples.',
  'Olga recommended a dentist near the Vienna opera house.',
  'I played chess against Magnus at a tournament in Oslo.',
  'My neighbour Hassan drives a taxi around Marrakesh.',
  'Chloe from Paris sends me postcards every winter.',
  'I adopted a grey cat named Pixel from a shelter in Zurich.',
  'My brother Jonas plays bass in a jazz band in Hamburg.',
  'Aiko translated my novel into Japanese for a publisher in Osaka.',
  'I met my mentor Grace at a robotics conference in Boston.',
  'Mateus surfs every morning at the beaches of Florianopolis.',
  'My aunt Helga bakes rye bread for the whole village near Munich.',
  'Ravi coached our cricket team in Mumbai for two seasons.',
  'I rented a cabin on Lake Bled from Ana for my birthday.',
  'Fatima designs jewellery in a small studio in Istanbul.',
  'My colleague Bruno moved his family to Montreal for a new role.',
  'Elena sings in the choir of the cathedral in Seville.',
  'I go birdwatching with Oscar in the marshes outside Gdansk.',
  'Kwame brews coffee at the market stall in Kumasi.',
];

/** The ingest's write transaction (the one that stores the chat messages) and what it answered. */
async function ingestCounted(userId: string, messages: { role: string; content: string }[]) {
  const before = transactions.length;
  const res = await ingest({ userId, messages });
  expect(res.status).toBe(200);
  const writes = transactions.slice(before).filter((statements) => statements.some((sql) => sql.includes('insert into chat_messages')));
  expect(writes).toHaveLength(1);
  return { body: res.body, statements: writes[0]!.length };
}

/** Before each ingest: a memory it repeats and a home it replaces. */
async function seed(userId: string) {
  const first = await ingest({ userId, messages: [{ role: 'user', content: 'I am allergic to peanuts.' }, { role: 'user', content: 'I live in London near the river.' }] });
  expect(first.body.memoriesCreated).toBe(2);
  return { peanuts: first.body.memories[0].id as string, london: first.body.memories[1].id as string };
}

/** A repeated fact, a new home that supersedes the old one, and `extra` new facts naming people and places. */
function conversation(extra: number) {
  return [
    { role: 'user', content: 'I am  allergic to peanuts.' },
    { role: 'user', content: 'I just moved to Bristol with my partner.' },
    ...FACTS.slice(0, extra).map((content) => ({ role: 'user', content })),
  ];
}

describe('POST /v1/ingest write transaction', () => {
  it('issues as many statements for 30 messages as for 3, and writes the same kinds of things', async () => {
    const smallSeed = await seed('small');
    const small = await ingestCounted('small', conversation(1));
    const largeSeed = await seed('large');
    const large = await ingestCounted('large', conversation(28));

    expect(small.body).toMatchObject({ memoriesCreated: 2, duplicatesMerged: 1, memoriesSuperseded: 1 });
    expect(large.body).toMatchObject({ memoriesCreated: 29, duplicatesMerged: 1, memoriesSuperseded: 1 });
    expect(large.statements).toBe(small.statements);
    expect(large.statements).toBeLessThanOrEqual(16);

    // What the statements wrote: the merge, the supersession, the entities and edges of every new fact.
    for (const [seeded, result] of [[smallSeed, small], [largeSeed, large]] as const) {
      expect(result.body.memories[0]).toMatchObject({ id: seeded.peanuts, status: 'duplicate' });
      expect(result.body.memories[1]).toMatchObject({ status: 'created', supersedes: [seeded.london] });
      const peanuts = await call(memoryRoute.GET, 'GET', `/api/v1/memories/${seeded.peanuts}`, { token: alice.apiKey, params: { id: seeded.peanuts } });
      expect(peanuts.body.sourceMessageIds).toHaveLength(2);
      const london = await call(memoryRoute.GET, 'GET', `/api/v1/memories/${seeded.london}`, { token: alice.apiKey, params: { id: seeded.london } });
      expect(london.body.supersededBy).toBe(result.body.memories[1].id);
    }
    const accountId = await accountIdOf(original, alice);
    const linked = await original.query<{ memory_id: string; entities: number; edges: number }>(
      `select m.id as memory_id,
              (select count(*)::int from memory_entities me where me.memory_id = m.id) as entities,
              (select count(*)::int from edges e where e.memory_id = m.id) as edges
       from memories m where m.account_id = $1 and m.end_user_id = 'large' and m.id = any($2::uuid[])`,
      [accountId, large.body.memories.slice(2).map((m: { id: string }) => m.id)],
    );
    expect(linked).toHaveLength(28);
    // Every memory is linked to the end user's entity; nearly every fact names someone or somewhere (an edge).
    expect(linked.every((row) => row.entities >= 1)).toBe(true);
    expect(linked.filter((row) => row.edges >= 1).length).toBeGreaterThanOrEqual(25);
    expect(linked.reduce((sum, row) => sum + row.edges, 0)).toBeLessThanOrEqual(large.body.edgesCreated);
  });

  it('a fact repeated within one ingest is merged into the memory the ingest created for it', async () => {
    const res = await ingest({ userId: 'repeats', messages: Array.from({ length: 12 }, () => ({ role: 'user', content: 'I play the cello every Sunday.' })) });
    expect(res.body).toMatchObject({ memoriesCreated: 1, duplicatesMerged: 11 });
    const id = res.body.memories[0].id;
    expect(res.body.memories.every((m: { id: string }) => m.id === id)).toBe(true);
    const memory = await call(memoryRoute.GET, 'GET', `/api/v1/memories/${id}`, { token: alice.apiKey, params: { id } });
    expect(memory.body.sourceMessageIds).toHaveLength(12);
  });
});

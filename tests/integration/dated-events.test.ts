import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as memory from '@/app/api/v1/memory/route';
import * as memorySearch from '@/app/api/v1/memory/search/route';
import { createAccount, type TestAccount } from '@/tests/helpers/accounts';
import { call } from '@/tests/helpers/http';
import { startTestApp, type TestApp } from '@/tests/helpers/services';

// A query that names a period ranks a memory by the date its text gives what it tells of ("last week", relative to
// when it was said), not only by when it was said (lib/memory/search/temporal.ts datesNamedIn, hybrid.ts).
let app: TestApp;
let account: TestAccount;
let other: TestAccount;
const USER = 'hiker@example.com';
const ids: Record<string, string> = {};

async function store(who: TestAccount, content: string, timestamp: string) {
  const res = await call(memory.POST, 'POST', '/api/v1/memory', { token: who.apiKey, body: { content, external_user_id: USER, timestamp } });
  expect(res.status).toBe(201);
  ids[content] = res.body.memory.id;
}

const search = (who: TestAccount, query: string) =>
  call(memorySearch.POST, 'POST', '/api/v1/memory/search', { token: who.apiKey, body: { query, external_user_id: USER, similarity_threshold: 0, limit: 10, explain: true } });

type Result = { memory: { id: string; content: string }; explain: { temporal: number } };

beforeAll(async () => {
  app = await startTestApp();
  account = await createAccount();
  other = await createAccount();
  // Said in early June about the end of May; said in August about August; said in August, no date in the text.
  await store(account, 'I went hiking in the Alps last week', '2023-06-05T10:00:00Z');
  await store(account, 'I went hiking in the Alps yesterday', '2023-08-20T10:00:00Z');
  await store(account, 'I went hiking in the Black Forest with my brother', '2023-08-21T10:00:00Z');
  // Another account's end user of the same id, with a memory dated inside the period: never seen.
  await store(other, 'I went hiking in the Alps on 28 May 2023', '2023-06-01T10:00:00Z');
});
afterAll(() => app.stop());

describe('events dated inside a memory’s text', () => {
  it('a memory said after the period that dates its event inside it ranks first, with the temporal part', async () => {
    const res = await search(account, 'Where did I go hiking in May 2023?');
    expect(res.status).toBe(200);
    const results = res.body.results as Result[];
    expect(results.map((r) => r.memory.content)).toEqual([
      'I went hiking in the Alps last week',
      expect.any(String),
      expect.any(String),
    ]);
    const temporal = Object.fromEntries(results.map((r) => [r.memory.content, r.explain.temporal]));
    expect(temporal['I went hiking in the Alps last week']).toBeGreaterThan(0);
    // "yesterday" said on 20 August is 19 August; the other names no date and was said in August.
    expect(temporal['I went hiking in the Alps yesterday']).toBe(0);
    expect(temporal['I went hiking in the Black Forest with my brother']).toBe(0);
    expect(results.map((r) => r.memory.id)).not.toContain(ids['I went hiking in the Alps on 28 May 2023']);
  });
  it('the period a query names picks the memory whose event falls inside it, whatever the text shares with the query', async () => {
    const res = await search(account, 'Where did I go hiking in August 2023?');
    const results = res.body.results as Result[];
    const dated = results.filter((r) => r.explain.temporal > 0).map((r) => r.memory.content);
    // Both August memories (said in August; the "yesterday" one also happened then); not the one about May.
    expect(dated.sort()).toEqual(['I went hiking in the Alps yesterday', 'I went hiking in the Black Forest with my brother']);
    expect(results.at(-1)!.memory.content).toBe('I went hiking in the Alps last week');
  });
  it('a query without a period ranks as before: no temporal part', async () => {
    const res = await search(account, 'Where did I go hiking?');
    expect((res.body.results as Result[]).every((r) => r.explain.temporal === 0)).toBe(true);
  });
});

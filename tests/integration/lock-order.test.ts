// One lock order for every write: the account row first. The triggers that keep accounts.memory_count and
// accounts.storage_bytes update the account row whenever a memory or chat message changes, and the quota checks lock
// it; a transaction that changed (or locked) a memory before reaching the account row could deadlock on Postgres with
// one that holds the account row and then changes memories (ingest, chat). PGlite has one session and cannot deadlock,
// so this test checks the order each write transaction takes its locks in, statement by statement.
import { describe, expect, it } from 'vitest';
import * as chat from '@/app/api/v1/chat/route';
import * as ingest from '@/app/api/v1/ingest/route';
import * as memoryById from '@/app/api/v1/memory/[memory_id]/route';
import * as restore from '@/app/api/v1/memory/[memory_id]/restore/route';
import * as prune from '@/app/api/v1/memory/prune/route';
import * as memory from '@/app/api/v1/memory/route';
import * as summarize from '@/app/api/v1/memory/summarize/route';
import * as users from '@/app/api/v1/users/[external_user_id]/route';
import { drainDeferred } from '@/lib/core/after-response';
import type { Db } from '@/lib/db';
import { withAccount } from '@/tests/helpers/fixtures';
import { call } from '@/tests/helpers/http';

const tenant = withAccount();

/** Each transaction's statements, in order. */
let transactions: string[][] = [];
function recording(tx: Db, statements: string[]): Db {
  return {
    kind: tx.kind,
    exec: (sql) => tx.exec(sql),
    close: () => tx.close(),
    query: (sql, params) => {
      statements.push(sql.replace(/\s+/g, ' '));
      return tx.query(sql, params);
    },
    transaction: (fn, options) => tx.transaction((inner) => fn(recording(inner, statements)), options),
  };
}
async function recorded(work: () => Promise<unknown>): Promise<string[][]> {
  const db = tenant.app.services.db;
  const original = db.transaction;
  transactions = [];
  db.transaction = (fn, options) =>
    original.call(db, (tx) => {
      const statements: string[] = [];
      transactions.push(statements);
      return fn(recording(tx, statements));
    }, options) as never;
  try {
    await work();
    await drainDeferred();
  } finally {
    db.transaction = original;
  }
  return transactions;
}

const WRITES = /\b(insert into|update|delete from)\s+(memories|chat_messages)\b|\bfrom memories\b.*\bfor update\b/i;
const ACCOUNT_LOCK = /\bfrom accounts\b.*\bfor update\b/i;

/** In every transaction that writes (or row-locks) memories or chat messages, the account row was locked before. */
function expectAccountFirst(all: string[][]) {
  const writing = all.filter((statements) => statements.some((sql) => WRITES.test(sql)));
  expect(writing.length).toBeGreaterThan(0);
  for (const statements of writing) {
    const firstWrite = statements.findIndex((sql) => WRITES.test(sql));
    const lock = statements.findIndex((sql) => ACCOUNT_LOCK.test(sql));
    expect({ lock: lock >= 0 && lock < firstWrite, firstWrite: statements[firstWrite] }).toMatchObject({ lock: true });
  }
}

const store = (content: string, user = 'locks', session = 's1') =>
  call(memory.POST, 'POST', '/api/v1/memory', { token: tenant.apiKey, body: { content, external_user_id: user, metadata: { session_id: session } } });

describe('every write locks the account row before it changes memories or chat messages', () => {
  it('store (a session: the memory before is updated too), ingest and chat', async () => {
    await store('I live in Lisbon');
    expectAccountFirst(await recorded(() => store('I work at a bakery there')));
    expectAccountFirst(
      await recorded(() => call(ingest.POST, 'POST', '/api/v1/ingest', { token: tenant.apiKey, body: { userId: 'locks', messages: [{ role: 'user', content: 'My sister Rita lives in Porto' }] } })),
    );
    expectAccountFirst(
      await recorded(() => call(chat.POST, 'POST', '/api/v1/chat', { token: tenant.apiKey, body: { message: 'I am learning the cello this year', external_user_id: 'locks', conversation_id: 'c1' } })),
    );
  });

  it('delete by id, prune (archive and delete), restore, summarize and erase', async () => {
    const id = (await store('I drink oolong tea', 'locks-2')).body.memory.id as string;
    expectAccountFirst(await recorded(() => call(memoryById.DELETE, 'DELETE', `/api/v1/memory/${id}`, { token: tenant.apiKey, params: { memory_id: id } })));

    for (const content of ['I love hiking in the Swiss Alps', 'Hiking in the Alps is my favourite hobby', 'I go hiking in the Alps every summer']) await store(content, 'locks-3');
    expectAccountFirst(await recorded(() => call(summarize.POST, 'POST', '/api/v1/memory/summarize', { token: tenant.apiKey, query: { external_user_id: 'locks-3' } })));

    const pruned = await recorded(() => call(prune.POST, 'POST', '/api/v1/memory/prune', { token: tenant.apiKey, query: { external_user_id: 'locks-3', max_age_days: '0', min_importance: '1' } }));
    expectAccountFirst(pruned);
    const archived = (await tenant.app.services.db.query<{ id: string }>("select id from memories where end_user_id = 'locks-3' and archived_at is not null and source <> 'summary' limit 1"))[0]!.id;
    expectAccountFirst(await recorded(() => call(restore.POST, 'POST', `/api/v1/memory/${archived}/restore`, { token: tenant.apiKey, params: { memory_id: archived } })));
    expectAccountFirst(
      await recorded(() => call(prune.POST, 'POST', '/api/v1/memory/prune', { token: tenant.apiKey, query: { external_user_id: 'locks-3', max_age_days: '0', min_importance: '1', archive_only: 'false' } })),
    );

    await store('I have a cat called Miso', 'locks-4');
    expectAccountFirst(await recorded(() => call(users.DELETE, 'DELETE', '/api/v1/users/locks-4', { token: tenant.apiKey, params: { external_user_id: 'locks-4' } })));
  });
});

import { beforeEach, describe, expect, it } from 'vitest';
import * as chatRoute from '@/app/api/v1/chat/route';
import * as memory from '@/app/api/v1/memory/route';
import { defer, drainDeferred } from '@/lib/core/after-response';
import type { Db } from '@/lib/db';
import { createOfflineLlm } from '@/lib/llm/offline';
import type { Llm } from '@/lib/llm';
import { logRequest } from '@/lib/metering/request-log';
import { accountIdOf, createAccount } from '@/tests/helpers/accounts';
import { withAccount } from '@/tests/helpers/fixtures';
import { call } from '@/tests/helpers/http';

const alice = withAccount();
beforeEach(async () => {
  alice.app.services.llm = createOfflineLlm();
  await alice.app.services.db.query('update accounts set memory_count = (select count(*) from memories where account_id = $1 and archived_at is null and superseded_by is null) where id = $1', [alice.accountId]);
});

/** An LLM that, while it answers, lets another request take the account's last memory slot (free plan: 1,000). */
function llmThatFillsTheAccount(): Llm {
  const offline = createOfflineLlm();
  const fill = () => alice.app.services.db.query('update accounts set memory_count = 1000 where id = $1', [alice.accountId]);
  return {
    ...offline,
    mode: offline.mode,
    model: offline.model,
    async generate(request) {
      await fill();
      return offline.generate(request);
    },
    stream(request) {
      const inner = offline.stream(request);
      const filled = fill();
      return {
        textStream: (async function* () {
          await filled;
          yield* inner.textStream;
        })(),
        result: filled.then(() => inner.result),
      } as ReturnType<Llm['stream']>;
    },
  };
}

const contentsOf = async (user: string) =>
  (await alice.app.services.db.query<{ content: string }>('select content from memories where account_id = $1 and end_user_id = $2', [alice.accountId, user])).map((row) => row.content);

function parseEvents(text: string) {
  return text.trim().split('\n\n').map((block) => {
    const [eventLine, dataLine] = block.split('\n');
    return { event: eventLine!.slice('event: '.length), data: JSON.parse(dataLine!.slice('data: '.length)) };
  });
}

describe('chat acknowledges a stored memory only once it is written', () => {
  it('JSON: memory_created is false when the locked quota re-check refuses the row', async () => {
    alice.app.services.llm = llmThatFillsTheAccount();
    const user = 'quota-race-json@example.com';
    const res = await call(chatRoute.POST, 'POST', '/api/v1/chat', { token: alice.apiKey, body: { message: 'I adopted a greyhound called Pixel last spring.', external_user_id: user } });
    expect(res.status).toBe(200);
    expect(await contentsOf(user)).toEqual([]);
    expect(res.body.memory_created).toBe(false);
  });

  it('streaming: the done event says memory_created false when the row was refused', async () => {
    alice.app.services.llm = llmThatFillsTheAccount();
    const user = 'quota-race-stream@example.com';
    const res = await call(chatRoute.POST, 'POST', '/api/v1/chat', { token: alice.apiKey, body: { message: 'I adopted a whippet called Dot last summer.', external_user_id: user, stream: true } });
    expect(res.status).toBe(200);
    expect(await contentsOf(user)).toEqual([]);
    expect(parseEvents(res.text).at(-1)).toMatchObject({ event: 'done', data: { memory_created: false } });
  });

  it('JSON: the memory is in the database when the answer says memory_created true, before any after-response work runs', async () => {
    const user = 'durable-json@example.com';
    const response = await chatRoute.POST(
      new Request('http://localhost:3000/api/v1/chat', {
        method: 'POST',
        headers: { authorization: `Bearer ${alice.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'I started learning the cello in March.', external_user_id: user }),
      }),
      { params: Promise.resolve({}) },
    );
    const body = await response.json();
    // Read synchronously after the answer, in the same tick chain: no deferred task has had a chance to run the insert.
    const rows = await contentsOf(user);
    await drainDeferred();
    expect(body.memory_created).toBe(true);
    expect(rows).toEqual(['I started learning the cello in March.']);
    const list = await call(memory.GET, 'GET', '/api/v1/memory', { token: alice.apiKey, query: { external_user_id: user } });
    expect(list.body.memories).toHaveLength(1);
  });
});

/** A Db that fails the nth statement touching usage_counters once (a dropped connection mid-flush). */
function failingOnce(db: Db, nth: number): Db {
  let seen = 0;
  const wrap = (inner: Db): Db => ({
    kind: inner.kind,
    async query(sql, params) {
      if (sql.includes('usage_counters') && ++seen === nth) throw new Error('connection reset');
      return inner.query(sql, params);
    },
    transaction: (fn) => inner.transaction((tx) => fn(wrap(tx))),
    exec: (sql) => inner.exec(sql),
    close: () => inner.close(),
  });
  return wrap(db);
}

describe('request log flushes', () => {
  it('a retried flush after a partial failure counts each request once', async () => {
    const bob = await createAccount();
    const bobId = await accountIdOf(alice.app.services.db, bob);
    const now = new Date();
    const requestsOf = async (accountId: string) =>
      Number((await alice.app.services.db.query<{ value: string }>("select coalesce(sum(value), 0) as value from usage_counters where account_id = $1 and metric = 'requests' and length(period) = 7", [accountId]))[0]!.value);
    const before = { alice: await requestsOf(alice.accountId), bob: await requestsOf(bobId) };
    const ctx = { db: failingOnce(alice.app.services.db, 2), now: () => now };
    logRequest(ctx, { accountId: alice.accountId, keyId: alice.keyId, requestId: 'req-durable-a', method: 'GET', path: '/v1/x', status: 200, durationMs: 3 });
    logRequest(ctx, { accountId: bobId, keyId: bob.keyId, requestId: 'req-durable-b', method: 'GET', path: '/v1/x', status: 200, durationMs: 3 });
    await drainDeferred();
    const logged = await alice.app.services.db.query<{ request_id: string }>("select request_id from request_log where request_id like 'req-durable-%' order by request_id");
    expect(logged.map((row) => row.request_id)).toEqual(['req-durable-a', 'req-durable-b']);
    expect({ alice: (await requestsOf(alice.accountId)) - before.alice, bob: (await requestsOf(bobId)) - before.bob }).toEqual({ alice: 1, bob: 1 });
  });
});

describe('drainDeferred (what the SIGTERM handler in instrumentation.ts awaits)', () => {
  it('waits for deferred work, including work deferred while draining', async () => {
    const done: string[] = [];
    defer(async () => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      done.push('first');
      defer(async () => {
        await new Promise((resolve) => setTimeout(resolve, 30));
        done.push('second');
      });
    });
    await expect(drainDeferred({ timeoutMs: 5_000 })).resolves.toBe(true);
    expect(done).toEqual(['first', 'second']);
  });

  it('gives up after the timeout when a task hangs, and says so', async () => {
    let release!: () => void;
    defer(() => new Promise<void>((resolve) => (release = resolve)));
    const started = Date.now();
    await expect(drainDeferred({ timeoutMs: 100 })).resolves.toBe(false);
    expect(Date.now() - started).toBeLessThan(2_000);
    release();
    await expect(drainDeferred()).resolves.toBe(true);
  });
});

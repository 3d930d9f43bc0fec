import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { generateText, stepCountIs, streamText, wrapLanguageModel } from 'ai';
import { convertArrayToReadableStream, MockLanguageModelV3 } from 'ai/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APIConnectionError,
  APITimeoutError,
  AuthenticationError,
  InternalServerError,
  MemoryLayer,
  MemoryLayerError,
  NotFoundError,
  RateLimitError,
  ValidationError,
} from '@/packages/sdk/src/index';
import { memoryMiddleware, memoryTools } from '@/packages/sdk/src/ai-sdk';
import { createAccount, type TestAccount } from '../helpers/accounts';
import { startAppServer, type AppServer } from '../helpers/app-server';
import { startTestApp, type TestApp } from '../helpers/services';

let app: TestApp;
let server: AppServer;
let account: TestAccount;
let ml: MemoryLayer;

beforeAll(async () => {
  app = await startTestApp();
  server = await startAppServer();
  account = await createAccount();
  ml = new MemoryLayer({ apiKey: account.apiKey, baseUrl: server.url });
});

afterAll(async () => {
  await server?.close();
  await app?.stop();
});

const newUser = () => `sdk-${randomUUID()}@example.com`;

/** A tiny HTTP server that answers each request with the next scripted reply (the last one repeats) and counts them. */
async function scriptedServer(replies: { status: number; headers?: Record<string, string>; body?: unknown; hang?: boolean }[]) {
  const seen: { method: string; url: string }[] = [];
  const hanging: http.ServerResponse[] = [];
  const instance = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const reply = replies[Math.min(seen.length, replies.length - 1)]!;
      seen.push({ method: req.method ?? '', url: req.url ?? '' });
      if (reply.hang) return void hanging.push(res);
      res.writeHead(reply.status, { 'content-type': 'application/json', 'x-request-id': `req-${seen.length}`, ...reply.headers });
      res.end(JSON.stringify(reply.body ?? {}));
    });
  });
  await new Promise<void>((resolve) => instance.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(instance.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        hanging.forEach((res) => res.destroy());
        instance.closeAllConnections();
        instance.close(() => resolve());
      }),
  };
}

const statsBody = { total_memories: 0 };

describe('TypeScript SDK against the app over HTTP', () => {
  it('remember and recall round-trip; recall takes the search options', async () => {
    const userId = newUser();
    const memory = await ml.remember({ userId, content: 'I am building a SaaS dashboard in React with Tailwind', metadata: { source: 'sdk-test' } });
    expect(memory).toMatchObject({ content: 'I am building a SaaS dashboard in React with Tailwind', external_user_id: userId, metadata: { source: 'sdk-test' } });
    expect(memory.id).toMatch(/^[0-9a-f-]{36}$/);

    const found = await ml.recall({ userId, query: 'What am I building with React?' });
    expect(found.mode).toBe('hybrid');
    expect(found.results.map((result) => result.memory.id)).toContain(memory.id);

    const semantic = await ml.recall({ userId, query: 'What am I building with React?', mode: 'semantic', limit: 1, threshold: 0.1 });
    expect(semantic).toMatchObject({ mode: 'semantic', similarity_threshold: 0.1 });
    expect(semantic.results).toHaveLength(1);

    // Another end user of the same account sees none of it.
    expect((await ml.recall({ userId: newUser(), query: 'What am I building with React?' })).results).toEqual([]);
  });

  it('ingest stores a conversation and context returns it within the budget', async () => {
    const userId = newUser();
    const ingested = await ml.ingest({
      userId,
      messages: [
        { role: 'assistant', content: 'Where do you live these days?' },
        { role: 'user', content: 'I moved to Berlin last month with my partner Sam.' },
      ],
    });
    expect(ingested.memoriesCreated).toBeGreaterThan(0);
    expect(ingested.memories[0]!.content).toContain('Berlin');

    const context = await ml.context({ userId, query: 'Any restaurant tips near where I live?', tokenBudget: 300 });
    expect(context.text).toContain('Berlin');
    expect(context.tokenBudget).toBe(300);
    expect(context.tokensUsed).toBeLessThanOrEqual(300);
    expect(context.lines.map((line) => line.memoryId)).toContain(ingested.memories[0]!.id);

    const fromMessages = await ml.context({ userId, messages: [{ role: 'user', content: 'Which city do I live in?' }] });
    expect(fromMessages.text).toContain('Berlin');
  });

  it('chat answers with memories, and streams the same reply as deltas', async () => {
    const userId = newUser();
    const memory = await ml.remember({ userId, content: 'My favourite programming language is Rust' });
    const reply = await ml.chat({ userId, message: 'What is my favourite programming language?' });
    expect(typeof reply.reply).toBe('string');
    expect(reply.reply.length).toBeGreaterThan(0);
    expect(reply.used_memories.map((used) => used.id)).toContain(memory.id);

    const stream = await ml.chat({ userId, message: 'Which programming language do I like most?', stream: true });
    const deltas: string[] = [];
    for await (const delta of stream) deltas.push(delta);
    const final = await stream.final();
    expect(deltas.length).toBeGreaterThan(0);
    expect(deltas.join('')).toBe(final.reply);
    expect(stream.memories.map((used) => used.id)).toContain(memory.id);
    expect(stream.requestId).toBeTruthy();
    expect(final.used_memories.map((used) => used.id)).toContain(memory.id);
  });

  it('export yields the memories as JSON Lines records, for one end user or the account', async () => {
    const userId = newUser();
    const first = await ml.remember({ userId, content: 'I play the cello in a community orchestra' });
    const second = await ml.remember({ userId, content: 'My orchestra rehearses on Tuesday evenings' });
    const other = await ml.remember({ userId: newUser(), content: 'I collect vintage fountain pens' });

    const records = [];
    for await (const record of ml.export({ userId })) records.push(record);
    expect(records.map((record) => record.id).sort()).toEqual([first.id, second.id].sort());
    expect(records[0]).toMatchObject({ external_user_id: userId });
    expect(Array.isArray(records[0]!.embedding)).toBe(true);

    const all = [];
    for await (const record of ml.export()) all.push(record.id);
    expect(all).toEqual(expect.arrayContaining([first.id, second.id, other.id]));
  });

  it('forget deletes one memory by id, then everything of an end user', async () => {
    const userId = newUser();
    const kept = await ml.remember({ userId, content: 'I am allergic to peanuts' });
    const dropped = await ml.remember({ userId, content: 'My car is a blue Volvo estate' });

    expect(await ml.forget({ memoryId: dropped.id })).toEqual({ status: 'success', id: dropped.id, deleted: true });
    await expect(ml.forget({ memoryId: dropped.id })).rejects.toBeInstanceOf(NotFoundError);
    const left = [];
    for await (const record of ml.export({ userId })) left.push(record.id);
    expect(left).toEqual([kept.id]);

    const erased = await ml.forget({ userId });
    expect(erased).toMatchObject({ status: 'success', external_user_id: userId, deleted: { memories: 1 } });
    const after = [];
    for await (const record of ml.export({ userId })) after.push(record);
    expect(after).toEqual([]);
  });

  it('the generated client reaches every other operation with the same key, retries and errors', async () => {
    const userId = newUser();
    const memory = await ml.remember({ userId, content: 'I run 10k every Sunday morning' });
    const { data: stats, response } = await ml.api.getMemoryStats({ query: { external_user_id: userId } });
    expect(stats.total_memories).toBe(1);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    const { data: detail } = await ml.api.getMemoryDetail({ path: { id: memory.id } });
    expect(detail).toMatchObject({ id: memory.id, userId, content: 'I run 10k every Sunday morning' });
    await expect(ml.api.getMemoryDetail({ path: { id: randomUUID() } })).rejects.toMatchObject({ status: 404, detail: 'Memory not found' });
  });
});

describe('errors', () => {
  it('a bad key gives a 401 AuthenticationError with the detail and the request id', async () => {
    const bad = new MemoryLayer({ apiKey: 'mlive_nope_nope', baseUrl: server.url });
    const error = await bad.recall({ userId: newUser(), query: 'anything' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toBeInstanceOf(MemoryLayerError);
    expect(error).toMatchObject({ status: 401, code: 'unauthorized', detail: 'Invalid or missing API key' });
    expect((error as MemoryLayerError).requestId).toMatch(/\S{8,}/);
  });

  it('a refused field gives a 422 ValidationError carrying details[]', async () => {
    const error = await ml.remember({ userId: newUser(), content: '   ' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const validation = error as ValidationError;
    expect(validation.status).toBe(422);
    expect(validation.code).toBe('validation');
    expect(validation.detail).toBe('Validation error');
    expect(validation.details).toEqual(expect.arrayContaining([expect.objectContaining({ loc: ['body', 'content'], msg: expect.any(String) })]));

    const several = (await ml.ingest({ userId: '', messages: [] }).catch((e: unknown) => e)) as ValidationError;
    expect(several.details!.map((detail) => detail.loc.join('.'))).toEqual(expect.arrayContaining(['body.userId', 'body.messages']));
  });

  it('another account cannot reach a memory: 404 NotFoundError', async () => {
    const userId = newUser();
    const memory = await ml.remember({ userId, content: 'My locker code is 4821' });
    const intruder = new MemoryLayer({ apiKey: (await createAccount()).apiKey, baseUrl: server.url });
    const error = await intruder.forget({ memoryId: memory.id }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, code: 'not_found', detail: 'Memory not found' });
    expect((await intruder.recall({ userId, query: 'locker code' })).results).toEqual([]);
    // Still there for its owner.
    expect((await ml.recall({ userId, query: 'locker code' })).results.map((result) => result.memory.id)).toContain(memory.id);
  });
});

describe('retries', () => {
  it('waits out a 429 with Retry-After and tries again, on a write too (nothing was done)', async () => {
    const scripted = await scriptedServer([
      { status: 429, headers: { 'retry-after': '1' }, body: { detail: 'Rate limit exceeded. Upgrade your plan or wait.' } },
      { status: 201, body: { status: 'success', memory: { id: 'm1', content: 'x' } } },
    ]);
    try {
      const retries: number[] = [];
      const client = new MemoryLayer({ apiKey: 'mlive_a_b', baseUrl: scripted.url, onRetry: (info) => retries.push(info.delayMs) });
      const memory = await client.remember({ userId: 'u', content: 'x' });
      expect(memory.id).toBe('m1');
      expect(scripted.seen).toHaveLength(2);
      expect(scripted.seen.every((request) => request.method === 'POST' && request.url === '/v1/memory/')).toBe(true);
      expect(retries).toEqual([1000]);
    } finally {
      await scripted.close();
    }
  });

  it('gives up after maxRetries with a RateLimitError that carries Retry-After', async () => {
    const scripted = await scriptedServer([{ status: 429, headers: { 'retry-after': '0' }, body: { detail: 'Rate limit exceeded. Upgrade your plan or wait.' } }]);
    try {
      const client = new MemoryLayer({ apiKey: 'mlive_a_b', baseUrl: scripted.url, maxRetries: 3 });
      const error = await client.api.getMemoryStats().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RateLimitError);
      expect(error).toMatchObject({ status: 429, retryAfterSeconds: 0, requestId: 'req-4' });
      expect(scripted.seen).toHaveLength(4);
    } finally {
      await scripted.close();
    }
  });

  it('does not wait for a Retry-After longer than maxRetryAfterSeconds (a quota spent for the month)', async () => {
    const scripted = await scriptedServer([{ status: 429, headers: { 'retry-after': '86400' }, body: { detail: 'Monthly search limit reached.' } }, { status: 200, body: statsBody }]);
    try {
      const error = await new MemoryLayer({ apiKey: 'mlive_a_b', baseUrl: scripted.url }).api.getMemoryStats().catch((e: unknown) => e);
      expect(error).toMatchObject({ status: 429, retryAfterSeconds: 86400, detail: 'Monthly search limit reached.' });
      expect(scripted.seen).toHaveLength(1);
    } finally {
      await scripted.close();
    }
  });

  it('retries a 5xx for a GET and a read-only POST, but not for a write unless configured', async () => {
    const unavailable = { status: 503, headers: { 'retry-after': '0' }, body: { detail: 'The database is unavailable. Please retry shortly.' } };

    const read = await scriptedServer([unavailable, { status: 200, body: statsBody }]);
    try {
      const { data } = await new MemoryLayer({ apiKey: 'mlive_a_b', baseUrl: read.url }).api.getMemoryStats();
      expect(data).toEqual(statsBody);
      expect(read.seen).toHaveLength(2);
    } finally {
      await read.close();
    }

    const search = await scriptedServer([unavailable, { status: 200, body: { results: [], total_count: 0, query: 'q', similarity_threshold: 0.35, mode: 'hybrid' } }]);
    try {
      const found = await new MemoryLayer({ apiKey: 'mlive_a_b', baseUrl: search.url }).recall({ userId: 'u', query: 'q' });
      expect(found.results).toEqual([]);
      expect(search.seen).toHaveLength(2);
    } finally {
      await search.close();
    }

    const write = await scriptedServer([unavailable, { status: 201, body: { status: 'success', memory: { id: 'm1' } } }]);
    try {
      const error = await new MemoryLayer({ apiKey: 'mlive_a_b', baseUrl: write.url }).remember({ userId: 'u', content: 'x' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InternalServerError);
      expect(error).toMatchObject({ status: 503, code: 'server_error', detail: 'The database is unavailable. Please retry shortly.', requestId: 'req-1' });
      expect(write.seen).toHaveLength(1);

      const retrying = new MemoryLayer({ apiKey: 'mlive_a_b', baseUrl: write.url, retryNonIdempotent: true });
      expect((await retrying.remember({ userId: 'u', content: 'x' })).id).toBe('m1');
      expect(write.seen).toHaveLength(2);
    } finally {
      await write.close();
    }
  });

  it('a server that cannot be reached gives an APIConnectionError after the retries; a silent one an APITimeoutError', async () => {
    const closed = await scriptedServer([{ status: 200 }]);
    await closed.close();
    const unreachable = new MemoryLayer({ apiKey: 'mlive_a_b', baseUrl: closed.url, maxRetries: 1 });
    const attempts: string[] = [];
    const error = await new MemoryLayer({ apiKey: 'mlive_a_b', baseUrl: closed.url, maxRetries: 1, onRetry: (info) => attempts.push(info.reason) }).api.getMemoryStats().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error).toMatchObject({ status: 0, code: 'connection_error' });
    expect(attempts).toEqual(['network error']);
    await expect(unreachable.remember({ userId: 'u', content: 'x' })).rejects.toBeInstanceOf(APIConnectionError);

    const silent = await scriptedServer([{ status: 200, hang: true }]);
    try {
      const timeout = await new MemoryLayer({ apiKey: 'mlive_a_b', baseUrl: silent.url, timeoutMs: 200, maxRetries: 0 }).api.getMemoryStats().catch((e: unknown) => e);
      expect(timeout).toBeInstanceOf(APITimeoutError);
      expect(timeout).toMatchObject({ status: 0, code: 'timeout' });
      expect(silent.seen).toHaveLength(1);
    } finally {
      await silent.close();
    }
  });
});

const usage = { inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined }, outputTokens: { total: 5, text: 5, reasoning: undefined } };
const systemOf = (prompt: { role: string; content: unknown }[]) => prompt.filter((message) => message.role === 'system').map((message) => message.content as string).join('\n');

describe('Vercel AI SDK middleware and tools', () => {
  it('generateText: the memory block reaches the system prompt, and the exchange is stored afterwards', async () => {
    const userId = newUser();
    await ml.remember({ userId, content: 'My sister Anna lives in Lisbon and works as an architect' });
    const model = new MockLanguageModelV3({
      doGenerate: { content: [{ type: 'text', text: 'Lisbon in spring is lovely; Anna will be glad to see you.' }], finishReason: { unified: 'stop', raw: 'stop' }, usage, warnings: [] },
    });
    const result = await generateText({
      model: wrapLanguageModel({ model, middleware: memoryMiddleware({ client: ml, userId, maxTokens: 400 }) }),
      system: 'You are a friendly travel assistant.',
      prompt: 'I am planning a trip next month to visit my sister Anna in Lisbon.',
    });
    expect(result.text).toBe('Lisbon in spring is lovely; Anna will be glad to see you.');
    expect(model.doGenerateCalls).toHaveLength(1);
    const system = systemOf(model.doGenerateCalls[0]!.prompt);
    expect(system).toContain('You are a friendly travel assistant.');
    expect(system).toContain('My sister Anna lives in Lisbon and works as an architect');

    const found = await ml.recall({ userId, query: 'planning a trip next month' });
    expect(found.results.map((r) => r.memory.content)).toContain('I am planning a trip next month to visit my sister Anna in Lisbon.');
  });

  it('streamText: the block reaches the system prompt and the streamed exchange is stored at the end', async () => {
    const userId = newUser();
    await ml.remember({ userId, content: 'My dog Pepper is a three year old border collie' });
    const model = new MockLanguageModelV3({
      doStream: {
        stream: convertArrayToReadableStream([
          { type: 'stream-start', warnings: [] },
          { type: 'text-start', id: 't1' },
          { type: 'text-delta', id: 't1', delta: 'Border collies love ' },
          { type: 'text-delta', id: 't1', delta: 'agility work.' },
          { type: 'text-end', id: 't1' },
          { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage },
        ]),
      },
    });
    const result = streamText({
      model: wrapLanguageModel({ model, middleware: memoryMiddleware({ client: ml, userId }) }),
      messages: [{ role: 'user', content: 'I want to teach Pepper, my border collie, some agility tricks this weekend.' }],
    });
    expect(await result.text).toBe('Border collies love agility work.');
    expect(model.doStreamCalls).toHaveLength(1);
    expect(systemOf(model.doStreamCalls[0]!.prompt)).toContain('My dog Pepper is a three year old border collie');

    const found = await ml.recall({ userId, query: 'agility tricks this weekend' });
    expect(found.results.map((r) => r.memory.content)).toContain('I want to teach Pepper, my border collie, some agility tricks this weekend.');
  });

  it('a memory service that is down never fails the generation; it is reported', async () => {
    const closed = await scriptedServer([{ status: 200 }]);
    await closed.close();
    const reported: string[] = [];
    const model = new MockLanguageModelV3({ doGenerate: { content: [{ type: 'text', text: 'Hello!' }], finishReason: { unified: 'stop', raw: 'stop' }, usage, warnings: [] } });
    const result = await generateText({
      model: wrapLanguageModel({
        model,
        middleware: memoryMiddleware({ client: new MemoryLayer({ apiKey: 'mlive_a_b', baseUrl: closed.url, maxRetries: 0 }), userId: 'u', onError: (error, phase) => reported.push(`${phase}:${(error as MemoryLayerError).code}`) }),
      }),
      prompt: 'Hi, I just moved to Oslo.',
    });
    expect(result.text).toBe('Hello!');
    expect(systemOf(model.doGenerateCalls[0]!.prompt)).toBe('');
    expect(reported).toEqual(['context:connection_error', 'ingest:connection_error']);
  });

  it('remember and recall tools run against the server inside a generateText tool loop', async () => {
    const userId = newUser();
    const tools = memoryTools({ client: ml, userId });
    const rememberModel = new MockLanguageModelV3({
      doGenerate: [
        { content: [{ type: 'tool-call', toolCallId: 'call-1', toolName: 'remember', input: JSON.stringify({ content: 'The user is vegetarian and loves Thai food' }) }], finishReason: { unified: 'tool-calls', raw: 'tool_calls' }, usage, warnings: [] },
        { content: [{ type: 'text', text: 'Got it.' }], finishReason: { unified: 'stop', raw: 'stop' }, usage, warnings: [] },
      ],
    });
    const stored = await generateText({ model: rememberModel, tools, stopWhen: stepCountIs(3), prompt: 'Remember that I am vegetarian and love Thai food.' });
    expect(stored.text).toBe('Got it.');
    const rememberResult = stored.steps[0]!.toolResults[0]!;
    expect(rememberResult.toolName).toBe('remember');
    expect(rememberResult.output).toMatchObject({ stored: true, content: 'The user is vegetarian and loves Thai food' });

    const recallModel = new MockLanguageModelV3({
      doGenerate: [
        { content: [{ type: 'tool-call', toolCallId: 'call-2', toolName: 'recall', input: JSON.stringify({ query: 'What food does the user like?', limit: 3 }) }], finishReason: { unified: 'tool-calls', raw: 'tool_calls' }, usage, warnings: [] },
        { content: [{ type: 'text', text: 'You love Thai food.' }], finishReason: { unified: 'stop', raw: 'stop' }, usage, warnings: [] },
      ],
    });
    const recalled = await generateText({ model: recallModel, tools, stopWhen: stepCountIs(3), prompt: 'What food do I like?' });
    const recallOutput = recalled.steps[0]!.toolResults[0]!.output as { memories: { id: string; content: string }[] };
    expect(recallOutput.memories.map((memory) => memory.content)).toContain('The user is vegetarian and loves Thai food');
    expect(recallOutput.memories.map((memory) => memory.id)).toContain((rememberResult.output as { id: string }).id);
    // The tool's result went back to the model on the second step.
    expect(JSON.stringify(recallModel.doGenerateCalls[1]!.prompt)).toContain('vegetarian');
  });
});

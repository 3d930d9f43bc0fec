import OpenAI, { AuthenticationError, PermissionDeniedError, UnprocessableEntityError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as keys from '@/app/api/v1/keys/route';
import * as memory from '@/app/api/v1/memory/route';
import { parseEnv } from '@/lib/env';
import { createLlm } from '@/lib/llm';
import { createOfflineLlm } from '@/lib/llm/offline';
import { accountIdOf, createAccount, type TestAccount } from '@/tests/helpers/accounts';
import { startAppServer, type AppServer } from '@/tests/helpers/app-server';
import { startFakeLlmServer } from '@/tests/helpers/fake-llm-server';
import { call } from '@/tests/helpers/http';
import { startTestApp, type TestApp } from '@/tests/helpers/services';

let app: TestApp;
let server: AppServer;
let llmServer: Awaited<ReturnType<typeof startFakeLlmServer>>;
let alice: TestAccount;
let bob: TestAccount;
const USER = 'john_doe@gmail.com';
const ALICE_MEMORY = 'User is building a SaaS dashboard in React';
const BOB_MEMORY = 'Bob account secret: building a rocket engine';

beforeAll(async () => {
  app = await startTestApp();
  server = await startAppServer();
  llmServer = await startFakeLlmServer();
  alice = await createAccount();
  bob = await createAccount();
  const store = (account: TestAccount, content: string, user = USER) =>
    call(memory.POST, 'POST', '/api/v1/memory', { token: account.apiKey, body: { content, external_user_id: user } });
  await store(alice, ALICE_MEMORY);
  await store(alice, 'Secret of another end user: plays the violin', 'someone-else@example.com');
  await store(bob, BOB_MEMORY);
});
afterAll(async () => {
  await server.close();
  await llmServer.stop();
  await app.stop();
});

beforeEach(() => {
  app.services.llm = createOfflineLlm();
  llmServer.requests.length = 0;
  llmServer.setBehaviour({ kind: 'reply', text: 'You are building a SaaS dashboard in React.' });
});

// The official client, pointed at the app as a user would point it at OpenAI; no retries, so a failure shows at once.
const client = (apiKey = alice.apiKey, headers: Record<string, string> = {}) => new OpenAI({ apiKey, baseURL: `${server.url}/v1/openai`, maxRetries: 0, defaultHeaders: headers });
const useFakeOpenAi = () => {
  app.services.llm = createLlm(parseEnv({ LLM_PROVIDER: 'openai', OPENAI_BASE_URL: `${llmServer.url}/v1`, OPENAI_API_KEY: 'sk-upstream', LLM_MODEL: 'fake-model' }));
};
const systemPromptSent = () => llmServer.requests.at(-1)!.body.messages[0];
type Report = { memory: { external_user_id: string; used_memories: { memory_text: string }[]; memory_created: boolean; mode: string } };

async function searchFor(account: TestAccount, user: string, query: string): Promise<string[]> {
  const res = await fetch(`${server.url}/v1/memory/search`, {
    method: 'POST',
    headers: { authorization: `Bearer ${account.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query, external_user_id: user, similarity_threshold: 0 }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { results: { memory: { content: string } }[] }).results.map((r) => r.memory.content);
}

describe('POST /v1/openai/chat/completions with the openai client', () => {
  it('answers a completion from the configured model, with the memory in its system prompt after the caller’s own', async () => {
    useFakeOpenAi();
    const completion = await client().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Answer in one sentence.' },
        { role: 'user', content: 'What am I building?' },
      ],
      user: USER,
    });
    expect(completion).toMatchObject({
      object: 'chat.completion',
      model: 'fake-model',
      choices: [{ index: 0, message: { role: 'assistant', content: 'You are building a SaaS dashboard in React.' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 42, completion_tokens: 7, total_tokens: 49 },
    });
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect((completion as unknown as Report).memory).toMatchObject({ external_user_id: USER, mode: 'llm', used_memories: [{ memory_text: ALICE_MEMORY }] });
    const sent = llmServer.requests.at(-1)!;
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.headers.authorization).toBe('Bearer sk-upstream');
    expect(systemPromptSent().role).toBe('system');
    expect(systemPromptSent().content).toMatch(/^Answer in one sentence\.\n\n/);
    expect(systemPromptSent().content).toContain(`"${ALICE_MEMORY}"`);
    expect(systemPromptSent().content).not.toMatch(/violin|rocket/);
    expect(sent.body.messages.slice(1)).toEqual([{ role: 'user', content: 'What am I building?' }]);
  });

  it('passes temperature and max_tokens to the model, never above the server’s output cap', async () => {
    useFakeOpenAi();
    await client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What am I building?' }], user: USER, temperature: 0.2, max_tokens: 50 });
    expect(llmServer.requests.at(-1)!.body).toMatchObject({ temperature: 0.2, max_tokens: 50 });
    await client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What am I building?' }], user: USER, max_completion_tokens: 10_000_000 });
    expect(llmServer.requests.at(-1)!.body.max_tokens).toBe(app.services.env.LLM_MAX_OUTPUT_TOKENS);
    expect(llmServer.requests.at(-1)!.body.temperature).toBeUndefined();
  });

  it('answers offline from the memories when no model is configured', async () => {
    const completion = await client().chat.completions.create({ model: 'any', messages: [{ role: 'user', content: [{ type: 'text', text: 'What am I building?' }] }], user: USER });
    expect(completion.model).toBe('offline-extractive');
    expect(completion.choices[0]!.message.content).toContain(ALICE_MEMORY);
    expect(completion.usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
  });

  it('sends the earlier turns as history and retrieves for the last user message', async () => {
    useFakeOpenAi();
    await client().chat.completions.create({
      model: 'gpt-4o-mini',
      user: USER,
      messages: [
        { role: 'user', content: 'Hello, I need some help.' },
        { role: 'assistant', content: 'Sure, what with?' },
        { role: 'developer', content: 'Be terse.' },
        { role: 'user', content: 'What am I building?' },
      ],
    });
    const sent = llmServer.requests.at(-1)!.body.messages;
    expect(sent[0].content).toMatch(/^Be terse\.\n\n/);
    expect(sent.slice(1)).toEqual([
      { role: 'user', content: 'Hello, I need some help.' },
      { role: 'assistant', content: 'Sure, what with?' },
      { role: 'user', content: 'What am I building?' },
    ]);
  });

  it('streams chat.completion.chunk events the client parses, ending the stream', async () => {
    useFakeOpenAi();
    llmServer.setBehaviour({ kind: 'reply', text: 'You build a React dashboard for SaaS.' });
    const stream = await client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What am I building?' }], user: USER, stream: true, stream_options: { include_usage: true } });
    let text = '';
    const finishReasons: (string | null)[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks += 1;
      expect(chunk.object).toBe('chat.completion.chunk');
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.choices[0]) finishReasons.push(chunk.choices[0].finish_reason);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('You build a React dashboard for SaaS.');
    expect(chunks).toBeGreaterThan(3);
    expect(finishReasons.at(-1)).toBe('stop');
    expect(finishReasons.slice(0, -1).every((reason) => reason === null)).toBe(true);
    expect(usage).toEqual({ prompt_tokens: 42, completion_tokens: 7, total_tokens: 49 });
    expect(llmServer.requests.at(-1)!.body.stream).toBe(true);
    expect(systemPromptSent().content).toContain(`"${ALICE_MEMORY}"`);
  });

  it('a model failure mid-stream reaches the client as an error', async () => {
    useFakeOpenAi();
    llmServer.setBehaviour({ kind: 'error', status: 500 });
    const stream = await client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What am I building?' }], user: USER, stream: true });
    await expect(async () => {
      for await (const chunk of stream) expect(chunk.object).toBe('chat.completion.chunk');
    }).rejects.toThrow(/language model provider failed/);
  });

  it('stores the exchange as /v1/chat does: the message becomes a searchable memory, the thread is kept with X-Conversation-Id', async () => {
    const user = 'pets@example.com';
    const statement = 'I adopted a greyhound named Pixel last spring.';
    const completion = await client(alice.apiKey, { 'X-End-User-Id': user, 'X-Conversation-Id': 'conv-openai-1' }).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: statement }],
    });
    expect((completion as unknown as Report).memory).toMatchObject({ external_user_id: user, memory_created: true });
    expect(await searchFor(alice, user, 'What is the name of my dog?')).toContain(statement);
    const thread = await app.services.db.query<{ role: string; content: string }>(
      'select role, content from chat_messages where account_id = $1 and end_user_id = $2 and conversation_id = $3 order by created_at',
      [await accountIdOf(app.services.db, alice), user, 'conv-openai-1'],
    );
    expect(thread).toEqual([
      { role: 'user', content: statement },
      { role: 'assistant', content: completion.choices[0]!.message.content },
    ]);
    // Streamed exchanges are stored too.
    const streamed = await client().chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'My favourite tea is a smoky lapsang souchong.' }], user, stream: true });
    for await (const chunk of streamed) expect(chunk.object).toBe('chat.completion.chunk');
    expect(await searchFor(alice, user, 'Which tea do I like?')).toContain('My favourite tea is a smoky lapsang souchong.');
    expect(await searchFor(bob, user, 'greyhound tea')).toEqual([]);
  });

  it('never uses another account’s memories, even for the same end user id', async () => {
    useFakeOpenAi();
    const completion = await client(bob.apiKey).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What am I building?' }], user: USER });
    expect((completion as unknown as Report).memory.used_memories.map((m) => m.memory_text)).toEqual([BOB_MEMORY]);
    expect(systemPromptSent().content).toContain(BOB_MEMORY);
    expect(systemPromptSent().content).not.toContain(ALICE_MEMORY);
    app.services.llm = createOfflineLlm();
    const offline = await client(bob.apiKey).chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'What am I building?' }], user: USER });
    expect(offline.choices[0]!.message.content).not.toContain(ALICE_MEMORY);
  });
});

describe('errors the openai client understands', () => {
  it('a bad key throws AuthenticationError (401)', async () => {
    const failure = client('mlive_not_a_key').chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'What am I building?' }], user: USER });
    await expect(failure).rejects.toBeInstanceOf(AuthenticationError);
    await expect(failure).rejects.toMatchObject({ status: 401, message: '401 Invalid or missing API key', code: 'invalid_api_key' });
  });

  it('no end user (neither user nor X-End-User-Id) throws 422 saying where to give it', async () => {
    const failure = client().chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'What am I building?' }] });
    await expect(failure).rejects.toBeInstanceOf(UnprocessableEntityError);
    await expect(failure).rejects.toMatchObject({ status: 422, param: 'user', code: 'missing', message: expect.stringMatching(/"user".*X-End-User-Id/) });
  });

  it.each([
    [{ messages: [{ role: 'assistant', content: 'Only an assistant turn' }] }, 'messages'],
    [{ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }] }, 'messages.0.content'],
    [{ messages: [{ role: 'user', content: 'x'.repeat(8_001) }] }, 'messages.0.content'],
    [{ messages: [{ role: 'tool', content: 'result', tool_call_id: 'a' }] }, 'messages.0.role'],
    [{ messages: [] }, 'messages'],
    [{ messages: [{ role: 'user', content: 'hello there' }], user: '   ' }, 'user'],
    [{ messages: [{ role: 'user', content: 'hello there' }], temperature: 3 }, 'temperature'],
  ])('bad input %# throws 422 naming the parameter', async (body, param) => {
    const failure = client().chat.completions.create({ model: 'x', user: USER, ...body } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming);
    await expect(failure).rejects.toBeInstanceOf(UnprocessableEntityError);
    await expect(failure).rejects.toMatchObject({ status: 422, param });
  });

  it('keeps the reference’s error fields beside OpenAI’s error object', async () => {
    const res = await fetch(`${server.url}/v1/openai/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.apiKey}`, 'content-type': 'application/json', 'x-end-user-id': '' },
      body: JSON.stringify({ model: 'x', messages: [{ role: 'user', content: 'hello there' }] }),
    });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body).toMatchObject({
      status: 'error',
      details: [{ loc: ['header', 'x-end-user-id'], msg: 'external_user_id must not be empty' }],
      error: { type: 'invalid_request_error', param: 'x-end-user-id', code: 'value_error' },
    });
  });

  it('a read-only key throws PermissionDeniedError (403): a completion stores the message', async () => {
    const reader = await call(keys.POST, 'POST', '/api/v1/keys', { token: alice.accessToken, body: { name: 'Reader', scopes: ['read'] } });
    const failure = client(reader.body.api_key).chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'What am I building?' }], user: USER });
    await expect(failure).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(failure).rejects.toMatchObject({ status: 403, type: 'permission_error' });
  });
});

import { DefaultChatTransport, parseJsonEventStream, readUIMessageStream, uiMessageChunkSchema, type UIMessage, type UIMessageChunk } from 'ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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

beforeAll(async () => {
  app = await startTestApp();
  server = await startAppServer();
  llmServer = await startFakeLlmServer();
  alice = await createAccount();
  bob = await createAccount();
  await call(memory.POST, 'POST', '/api/v1/memory', { token: alice.apiKey, body: { content: ALICE_MEMORY, external_user_id: USER } });
  await call(memory.POST, 'POST', '/api/v1/memory', { token: bob.apiKey, body: { content: 'Bob account secret: building a rocket engine', external_user_id: USER } });
});
afterAll(async () => {
  await server.close();
  await llmServer.stop();
  await app.stop();
});
beforeEach(() => {
  app.services.llm = createOfflineLlm();
  llmServer.requests.length = 0;
});

const useFakeOpenAi = (text: string) => {
  app.services.llm = createLlm(parseEnv({ LLM_PROVIDER: 'openai', OPENAI_BASE_URL: `${llmServer.url}/v1`, OPENAI_API_KEY: 'sk-test', LLM_MODEL: 'fake-model' }));
  llmServer.setBehaviour({ kind: 'reply', text });
};

const userMessage = (id: string, text: string): UIMessage => ({ id, role: 'user', parts: [{ type: 'text', text }] });

/** What useChat does: AI SDK 6's DefaultChatTransport posts the messages, and its reader builds the assistant message. */
async function sendWithUseChatTransport(messages: UIMessage[], options: { apiKey?: string; user?: string; chatId?: string } = {}) {
  const transport = new DefaultChatTransport<UIMessage>({
    api: `${server.url}/v1/chat`,
    headers: { Authorization: `Bearer ${options.apiKey ?? alice.apiKey}` },
    body: { external_user_id: options.user ?? USER, stream_format: 'ui' },
  });
  const chunks = await transport.sendMessages({ chatId: options.chatId ?? 'chat-1', messages, trigger: 'submit-message', messageId: undefined, abortSignal: undefined });
  const errors: string[] = [];
  let last: UIMessage | undefined;
  for await (const message of readUIMessageStream<UIMessage>({ stream: chunks, onError: (error) => errors.push(String(error)) })) last = message;
  return { message: last!, errors };
}

const textOf = (message: UIMessage) => message.parts.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('');

async function rawChunks(body: unknown, apiKey = alice.apiKey) {
  const res = await fetch(`${server.url}/v1/chat`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const chunks: UIMessageChunk[] = [];
  const reader = parseJsonEventStream({ stream: res.body!, schema: uiMessageChunkSchema }).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!value.success) throw value.error;
    chunks.push(value.value);
  }
  return { res, chunks };
}

describe('POST /v1/chat as the AI SDK UI message stream', () => {
  it('useChat’s transport reads the reply, the memories used and the reply’s fields as metadata', async () => {
    const { message, errors } = await sendWithUseChatTransport([userMessage('m1', 'What am I building?')]);
    expect(errors).toEqual([]);
    expect(message.role).toBe('assistant');
    expect(textOf(message)).toBe(`Here is what I remember:\n- ${ALICE_MEMORY}`);
    const memories = message.parts.find((part) => part.type === 'data-memories') as { data: { used_memories: { memory_text: string }[] } } | undefined;
    expect(memories?.data.used_memories.map((m) => m.memory_text)).toEqual([ALICE_MEMORY]);
    expect(message.metadata).toMatchObject({ memory_created: false, conversation_id: 'chat-1', mode: 'offline', model: 'offline-extractive' });
  });

  it('answers with the UI stream headers and chunks the AI SDK’s own schema accepts', async () => {
    const { res, chunks } = await rawChunks({ message: 'What am I building?', external_user_id: USER, stream_format: 'ui' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-vercel-ai-ui-message-stream')).toBe('v1');
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expect(res.headers.get('x-request-id')).toBeTruthy();
    const types = chunks.map((chunk) => chunk.type);
    expect(types[0]).toBe('start');
    expect(types.slice(1, 3)).toEqual(['data-memories', 'text-start']);
    expect(types.slice(-2)).toEqual(['text-end', 'finish']);
    expect(types.filter((type) => type === 'text-delta').length).toBeGreaterThan(1);
  });

  it('stores the turn: the message as a memory and the thread under the chat id, and sends the earlier turns to the model', async () => {
    const user = 'ui-thread@example.com';
    useFakeOpenAi('Noted: Pixel the greyhound.');
    const first = await sendWithUseChatTransport([userMessage('m1', 'I adopted a greyhound named Pixel last spring.')], { user, chatId: 'chat-pets' });
    expect(textOf(first.message)).toBe('Noted: Pixel the greyhound.');
    expect(first.message.metadata).toMatchObject({ memory_created: true, mode: 'llm', model: 'fake-model', usage: { prompt_tokens: 42, completion_tokens: 7 } });
    const list = await call(memory.GET, 'GET', '/api/v1/memory', { token: alice.apiKey, query: { external_user_id: user } });
    expect(list.body.memories.map((m: { content: string }) => m.content)).toEqual(['I adopted a greyhound named Pixel last spring.']);
    const thread = await app.services.db.query<{ role: string; content: string }>(
      'select role, content from chat_messages where account_id = $1 and end_user_id = $2 and conversation_id = $3 order by created_at',
      [await accountIdOf(app.services.db, alice), user, 'chat-pets'],
    );
    expect(thread).toEqual([
      { role: 'user', content: 'I adopted a greyhound named Pixel last spring.' },
      { role: 'assistant', content: 'Noted: Pixel the greyhound.' },
    ]);

    useFakeOpenAi('Pixel.');
    const second = await sendWithUseChatTransport([userMessage('m1', 'I adopted a greyhound named Pixel last spring.'), first.message, userMessage('m3', 'What is my dog called?')], { user, chatId: 'chat-pets' });
    expect(textOf(second.message)).toBe('Pixel.');
    const sent = llmServer.requests.at(-1)!.body.messages;
    expect(sent[0].role).toBe('system');
    expect(sent[0].content).toContain('"I adopted a greyhound named Pixel last spring."');
    expect(sent.slice(1)).toEqual([
      { role: 'user', content: 'I adopted a greyhound named Pixel last spring.' },
      { role: 'assistant', content: 'Noted: Pixel the greyhound.' },
      { role: 'user', content: 'What is my dog called?' },
    ]);
  });

  it('a model failure arrives as the stream’s error chunk, and the message is still stored', async () => {
    useFakeOpenAi('unused');
    llmServer.setBehaviour({ kind: 'error', status: 500 });
    const { chunks } = await rawChunks({ message: 'My favourite colour is teal green.', external_user_id: 'ui-failing@example.com', stream_format: 'ui' });
    expect(chunks.at(-1)).toMatchObject({ type: 'error', errorText: expect.stringMatching(/language model provider failed/) });
    const list = await call(memory.GET, 'GET', '/api/v1/memory', { token: alice.apiKey, query: { external_user_id: 'ui-failing@example.com' } });
    expect(list.body.memories.map((m: { content: string }) => m.content)).toEqual(['My favourite colour is teal green.']);
  });

  it('never uses another account’s memories', async () => {
    const { message } = await sendWithUseChatTransport([userMessage('m1', 'What am I building?')], { apiKey: bob.apiKey });
    expect(textOf(message)).toContain('rocket engine');
    expect(JSON.stringify(message)).not.toContain(ALICE_MEMORY);
  });

  it('keeps the reference’s SSE format by default', async () => {
    const res = await fetch(`${server.url}/v1/chat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'What am I building?', external_user_id: USER, stream: true }),
    });
    expect(res.headers.get('x-vercel-ai-ui-message-stream')).toBeNull();
    const text = await res.text();
    expect(text.startsWith('event: memories\n')).toBe(true);
    expect(text).toContain('event: done\n');
  });

  it.each([
    [{ external_user_id: USER, stream_format: 'ui', messages: [{ id: 'a', role: 'assistant', parts: [{ type: 'text', text: 'hi' }] }] }, ['body', 'messages']],
    [{ external_user_id: USER, stream_format: 'ui', message: 'What am I building?', messages: [userMessage('m1', 'What am I building?')] }, ['body', 'messages']],
    [{ external_user_id: USER, stream_format: 'ui', messages: [{ id: 'a', role: 'user', parts: [{ type: 'file', url: 'x' }] }] }, ['body', 'messages', 0, 'parts']],
    [{ external_user_id: USER, stream_format: 'html', message: 'What am I building?' }, ['body', 'stream_format']],
    [{ external_user_id: USER, stream_format: 'ui' }, ['body', 'message']],
  ])('refuses %# with 422 where the problem is', async (body, loc) => {
    const res = await fetch(`${server.url}/v1/chat`, { method: 'POST', headers: { authorization: `Bearer ${alice.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(422);
    expect((await res.json()).details[0].loc).toEqual(loc);
  });
});

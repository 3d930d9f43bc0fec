import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as keys from '@/app/api/v1/keys/route';
import { accountIdOf, createAccount, type TestAccount } from '@/tests/helpers/accounts';
import { startAppServer, type AppServer } from '@/tests/helpers/app-server';
import { call } from '@/tests/helpers/http';
import { createMemoryRateLimiter } from '@/lib/ratelimit/memory';
import { startTestApp, type TestApp } from '@/tests/helpers/services';

// The MCP server at /mcp through the official SDK's client, over Streamable HTTP against a real HTTP server, and over
// stdio through the `memory-layer mcp` bridge spawned as a process.

const ROOT = path.resolve(import.meta.dirname, '../..');
const TOOL_NAMES = ['forget', 'get_context', 'list_memories', 'recall', 'remember'];

let app: TestApp;
let server: AppServer;
let account: TestAccount;
let accountId = '';
const clients: Client[] = [];

beforeAll(async () => {
  // A real sliding-window limiter on a clock that does not move: limits are reached by count alone, never by speed.
  app = await startTestApp({ overrides: { rateLimiter: createMemoryRateLimiter(() => Date.UTC(2026, 11, 1, 0, 0, 30)) } });
  server = await startAppServer();
  account = await createAccount();
  accountId = await accountIdOf(app.services.db, account);
  // Each MCP message is one rate-limited request: the Scale plan keeps these tests clear of the free plan's 30 a minute.
  await app.services.db.query("update accounts set plan = 'scale' where id = $1", [accountId]);
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await server?.close();
  await app?.stop();
});

const mcpUrl = (query?: Record<string, string>) => {
  const url = new URL(`${server.url}/mcp`);
  for (const [name, value] of Object.entries(query ?? {})) url.searchParams.set(name, value);
  return url;
};

async function connect(apiKey: string | undefined, options: { endUser?: string; query?: Record<string, string> } = {}): Promise<Client> {
  const headers: Record<string, string> = {};
  if (apiKey !== undefined) headers.Authorization = `Bearer ${apiKey}`;
  if (options.endUser !== undefined) headers['X-End-User-Id'] = options.endUser;
  const client = new Client({ name: 'mcp-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(mcpUrl(options.query), { requestInit: { headers } }));
  clients.push(client);
  return client;
}

async function tool(client: Client, name: string, args: Record<string, unknown>) {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  const first = result.content[0];
  const text = first?.type === 'text' ? first.text : '';
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined; // the SDK's own argument validation answers in plain text
  }
  return { result, text, json, isError: result.isError === true };
}

/** The text of a resource read's first content (ours are JSON text, never blobs). */
function resourceText(read: { contents: ({ text: string } | { blob: string })[] }): string {
  const first = read.contents[0];
  return first && 'text' in first ? first.text : '';
}

async function newKey(body: Record<string, unknown>): Promise<string> {
  const res = await call(keys.POST, 'POST', '/api/v1/keys', { token: account.accessToken, body: { name: 'MCP test', ...body } });
  expect(res.status).toBe(201);
  return res.body.api_key;
}

const memoriesOf = (endUser: string) =>
  app.services.db.query<{ id: string; content: string; agent_id: string | null }>('select id, content, agent_id from memories where account_id = $1 and end_user_id = $2 order by created_at', [
    accountId,
    endUser,
  ]);

describe('MCP over Streamable HTTP', () => {
  it('initializes and lists the five tools with their input schemas', async () => {
    const client = await connect(account.apiKey);
    expect(client.getServerVersion()?.name).toBe('memory-layer');
    expect(client.getInstructions()).toContain('external_user_id');
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(TOOL_NAMES);
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    for (const t of tools) {
      expect(t.inputSchema.type).toBe('object');
      expect(Object.keys(t.inputSchema.properties ?? {})).toContain('external_user_id');
      expect(t.inputSchema.required ?? []).not.toContain('external_user_id');
      expect(t.outputSchema?.type).toBe('object');
      expect(t.description).toBeTruthy();
    }
    expect(byName.remember!.inputSchema.required).toEqual(['content']);
    expect(byName.recall!.inputSchema.required).toEqual(['query']);
    expect(byName.get_context!.inputSchema.required).toEqual(['query']);
    expect(byName.forget!.inputSchema.required).toEqual(['memory_id']);
    expect(byName.list_memories!.inputSchema.required ?? []).toEqual([]);
    expect(byName.forget!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(byName.recall!.annotations).toMatchObject({ readOnlyHint: true });
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(['memory://{external_user_id}']);
  });

  it('remember, recall, get_context, list_memories, the resource, then forget', async () => {
    const client = await connect(account.apiKey);
    const user = 'dana@example.com';
    const stored = await tool(client, 'remember', { content: 'Dana is allergic to peanuts', external_user_id: user, metadata: { source: 'mcp' } });
    expect(stored.isError).toBe(false);
    expect(stored.json).toMatchObject({ status: 'success', memory: { content: 'Dana is allergic to peanuts', external_user_id: user, metadata: { source: 'mcp' } } });
    expect(stored.result.structuredContent).toEqual(stored.json);
    const id = stored.json.memory.id as string;
    await tool(client, 'remember', { content: 'Dana plays the cello on weekends', external_user_id: user });
    expect((await memoriesOf(user)).map((m) => m.content)).toEqual(['Dana is allergic to peanuts', 'Dana plays the cello on weekends']);

    const recalled = await tool(client, 'recall', { query: 'Does Dana have any food allergies?', external_user_id: user });
    expect(recalled.isError).toBe(false);
    expect(recalled.json).toMatchObject({ mode: 'hybrid', query: 'Does Dana have any food allergies?' });
    expect(recalled.json.results[0].memory.id).toBe(id);

    const context = await tool(client, 'get_context', { query: 'Suggest a snack for Dana', external_user_id: user, token_budget: 500 });
    expect(context.isError).toBe(false);
    expect(context.json.text).toContain('Dana is allergic to peanuts');
    expect(context.json.lines.map((line: { memoryId: string }) => line.memoryId)).toContain(id);
    expect(context.json.tokenBudget).toBe(500);
    expect(context.json.tokensUsed).toBeLessThanOrEqual(500);

    const firstPage = await tool(client, 'list_memories', { external_user_id: user, limit: 1 });
    expect(firstPage.json).toMatchObject({ total_count: 2, limit: 1, offset: 0, has_more: true });
    expect(firstPage.json.memories.map((m: { content: string }) => m.content)).toEqual(['Dana plays the cello on weekends']);
    const secondPage = await tool(client, 'list_memories', { external_user_id: user, limit: 1, offset: 1 });
    expect(secondPage.json).toMatchObject({ total_count: 2, offset: 1, has_more: false });
    expect(secondPage.json.memories[0].id).toBe(id);

    const uri = `memory://${encodeURIComponent(user)}`;
    const resource = await client.readResource({ uri });
    expect(resource.contents[0]).toMatchObject({ uri, mimeType: 'application/json' });
    const listed = JSON.parse(resourceText(resource));
    expect(listed.total_count).toBe(2);
    expect(listed.memories.map((m: { id: string }) => m.id)).toContain(id);

    const forgotten = await tool(client, 'forget', { memory_id: id, external_user_id: user });
    expect(forgotten.json).toEqual({ status: 'success', id, deleted: true });
    expect((await memoriesOf(user)).map((m) => m.id)).not.toContain(id);
    const again = await tool(client, 'forget', { memory_id: id, external_user_id: user });
    expect(again.isError).toBe(true);
    expect(again.json).toEqual({ detail: 'Memory not found', status: 404 });
    const after = await tool(client, 'recall', { query: 'Does Dana have any food allergies?', external_user_id: user });
    expect(after.json.results.map((r: { memory: { id: string } }) => r.memory.id)).not.toContain(id);
  });

  it('bad arguments are tool errors naming the field', async () => {
    const client = await connect(account.apiKey);
    const badId = await tool(client, 'forget', { memory_id: 'not-a-uuid', external_user_id: 'x@example.com' });
    expect(badId.isError).toBe(true);
    expect(badId.text).toContain('memory_id');
    const empty = await tool(client, 'remember', { content: '   ', external_user_id: 'x@example.com' });
    expect(empty.isError).toBe(true);
    expect(empty.text).toContain('content must not be empty');
    expect(await memoriesOf('x@example.com')).toEqual([]);
  });

  it('answers 401 {detail} without a key or with a bad one, as the REST API does', async () => {
    // StreamableHTTPError: the HTTP status as `code`, the body in the message.
    await expect(connect(undefined)).rejects.toMatchObject({ code: 401, message: expect.stringContaining('Invalid or missing API key') });
    await expect(connect('mlive_not_a_real_key_123')).rejects.toMatchObject({ code: 401 });
    const res = await fetch(mcpUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: 'Bearer mlive_nope' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ detail: 'Invalid or missing API key' });
  });

  it('refuses what is not one JSON-RPC message with 422 in the reference shape, and GET with 405', async () => {
    const post = (body: unknown) =>
      fetch(mcpUrl(), { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${account.apiKey}` }, body: JSON.stringify(body) });
    const notRpc = await post({ hello: 'world' });
    expect(notRpc.status).toBe(422);
    const body = await notRpc.json();
    expect(body).toMatchObject({ status: 'error', message: 'Validation error' });
    expect(body.details.map((d: { loc: string[] }) => d.loc.join('.'))).toContain('body.jsonrpc');
    expect((await post([{ jsonrpc: '2.0', id: 1, method: 'tools/list' }])).status).toBe(422);
    // Without the Accept header Streamable HTTP asks for, still answered (in JSON).
    const listed = await post({ jsonrpc: '2.0', id: 7, method: 'tools/list' });
    expect(listed.status).toBe(200);
    expect((await listed.json()).result.tools).toHaveLength(5);
    const get = await fetch(mcpUrl(), { headers: { accept: 'text/event-stream', authorization: `Bearer ${account.apiKey}` } });
    expect(get.status).toBe(405);
  });

  it('is rate limited, metered and logged like every operation', async () => {
    const stats = async () => (await fetch(`${server.url}/v1/memory/stats`, { headers: { authorization: `Bearer ${account.apiKey}` } }).then((r) => r.json())).usage.searches_today as number;
    const client = await connect(account.apiKey);
    await tool(client, 'remember', { content: 'Eli collects vintage maps', external_user_id: 'eli@example.com' });
    const before = await stats();
    await tool(client, 'list_memories', { external_user_id: 'eli@example.com' });
    expect(await stats()).toBe(before);
    await tool(client, 'recall', { query: 'maps', external_user_id: 'eli@example.com' });
    expect(await stats()).toBe(before + 1);
    await tool(client, 'get_context', { query: 'maps', external_user_id: 'eli@example.com' });
    expect(await stats()).toBe(before + 2);

    const res = await fetch(mcpUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${account.apiKey}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.headers.get('x-ratelimit-limit')).toBe('10000');
    expect(Number(res.headers.get('x-ratelimit-remaining'))).toBeLessThan(10_000);
    const [logged] = await app.services.db.query<{ n: number }>("select count(*)::int as n from request_log where account_id = $1 and path = '/mcp'", [accountId]);
    expect(logged!.n).toBeGreaterThan(0);
  });

  it('answers 429 with Retry-After once the free plan’s requests a minute are spent', async () => {
    const free = await createAccount();
    let status = 0;
    let retryAfter: string | null = null;
    for (let i = 0; i < 40 && status !== 429; i += 1) {
      const res = await fetch(mcpUrl(), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${free.apiKey}` },
        body: JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/list' }),
      });
      status = res.status;
      retryAfter = res.headers.get('retry-after');
      if (status === 429) expect(await res.json()).toEqual({ detail: expect.stringContaining('Rate limit') });
    }
    expect(status).toBe(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });

  it('a read-only key recalls and lists but cannot remember or forget', async () => {
    const user = 'fay@example.com';
    const writer = await connect(account.apiKey);
    const stored = await tool(writer, 'remember', { content: 'Fay is learning Japanese', external_user_id: user });
    const reader = await connect(await newKey({ scopes: ['read'] }));
    const recalled = await tool(reader, 'recall', { query: 'What language is Fay learning?', external_user_id: user });
    expect(recalled.json.results[0].memory.id).toBe(stored.json.memory.id);
    expect((await tool(reader, 'list_memories', { external_user_id: user })).json.total_count).toBe(1);
    const remember = await tool(reader, 'remember', { content: 'Fay moved to Osaka', external_user_id: user });
    expect(remember.isError).toBe(true);
    expect(remember.json).toEqual({ detail: 'API key does not have access to this resource', status: 403 });
    const forget = await tool(reader, 'forget', { memory_id: stored.json.memory.id, external_user_id: user });
    expect(forget.json.status).toBe(403);
    expect((await memoriesOf(user)).map((m) => m.content)).toEqual(['Fay is learning Japanese']);
  });

  it("an agent-scoped key sees and deletes only its own agent's memories", async () => {
    const user = 'gus@example.com';
    const planner = await connect(await newKey({ agent_id: 'planner' }));
    const coach = await connect(await newKey({ agent_id: 'coach' }));
    const plan = await tool(planner, 'remember', { content: 'Gus wants to run a marathon in April', external_user_id: user });
    const mine = await tool(coach, 'remember', { content: 'Gus runs every morning', external_user_id: user });
    expect((await memoriesOf(user)).map((m) => [m.content, m.agent_id])).toEqual([
      ['Gus wants to run a marathon in April', 'planner'],
      ['Gus runs every morning', 'coach'],
    ]);

    const recalled = await tool(coach, 'recall', { query: 'marathon in April', external_user_id: user, similarity_threshold: 0 });
    expect(recalled.json.results.map((r: { memory: { id: string } }) => r.memory.id)).toEqual([mine.json.memory.id]);
    const listed = await tool(coach, 'list_memories', { external_user_id: user });
    expect(listed.json.memories.map((m: { id: string }) => m.id)).toEqual([mine.json.memory.id]);
    const context = await tool(coach, 'get_context', { query: 'marathon', external_user_id: user });
    expect(context.text).not.toContain('marathon in April');
    const resource = await coach.readResource({ uri: `memory://${encodeURIComponent(user)}` });
    expect(resourceText(resource)).not.toContain('marathon');
    const forget = await tool(coach, 'forget', { memory_id: plan.json.memory.id, external_user_id: user });
    expect(forget.json).toEqual({ detail: 'Memory not found', status: 404 });
    expect((await memoriesOf(user)).map((m) => m.id)).toContain(plan.json.memory.id);
    // The planner still sees its own.
    expect((await tool(planner, 'list_memories', { external_user_id: user })).json.memories.map((m: { id: string }) => m.id)).toEqual([plan.json.memory.id]);
  });

  it('a call with no end user anywhere is a tool error saying how to pass one, and changes nothing', async () => {
    const client = await connect(account.apiKey);
    const before = await app.services.db.query('select count(*)::int as n from memories where account_id = $1', [accountId]);
    for (const [name, args] of [
      ['remember', { content: 'Somebody likes tea' }],
      ['recall', { query: 'tea' }],
      ['get_context', { query: 'tea' }],
      ['list_memories', {}],
      ['forget', { memory_id: '3f2c6a4e-9b1d-4c55-8e2a-0d7f1b6c9a10' }],
    ] as const) {
      const result = await tool(client, name, args);
      expect(result.isError, name).toBe(true);
      expect(result.json.status).toBe(400);
      expect(result.json.detail).toContain('external_user_id');
      expect(result.json.detail).toContain('X-End-User-Id');
    }
    expect(await app.services.db.query('select count(*)::int as n from memories where account_id = $1', [accountId])).toEqual(before);
    expect((await client.listResources()).resources).toEqual([]);
  });

  it("a connection's end user (header or query) is used for its calls only, never another connection's", async () => {
    const hana = await connect(account.apiKey, { endUser: 'hana@example.com' });
    const ivan = await connect(account.apiKey, { query: { external_user_id: 'ivan@example.com' } });
    // Interleaved, concurrent calls of the two connections.
    const [hanaStored, ivanStored] = await Promise.all([
      tool(hana, 'remember', { content: 'My favourite colour is teal' }),
      tool(ivan, 'remember', { content: 'My favourite colour is orange' }),
    ]);
    expect(hanaStored.json.memory.external_user_id).toBe('hana@example.com');
    expect(ivanStored.json.memory.external_user_id).toBe('ivan@example.com');
    const [hanaRecall, ivanRecall] = await Promise.all([
      tool(hana, 'recall', { query: 'What is my favourite colour?', similarity_threshold: 0 }),
      tool(ivan, 'recall', { query: 'What is my favourite colour?', similarity_threshold: 0 }),
    ]);
    expect(hanaRecall.json.results.map((r: { memory: { content: string } }) => r.memory.content)).toEqual(['My favourite colour is teal']);
    expect(ivanRecall.json.results.map((r: { memory: { content: string } }) => r.memory.content)).toEqual(['My favourite colour is orange']);

    // A bound connection cannot be pointed at another end user, by argument or by resource.
    const other = await tool(ivan, 'list_memories', { external_user_id: 'hana@example.com' });
    expect(other.isError).toBe(true);
    expect(other.json.status).toBe(403);
    expect(other.text).not.toContain('teal');
    await expect(ivan.readResource({ uri: 'memory://hana%40example.com' })).rejects.toThrow(/bound to one end user/);
    // The same id may be repeated.
    expect((await tool(hana, 'list_memories', { external_user_id: 'hana@example.com' })).json.total_count).toBe(1);
    // A connection without an end user gets none of theirs.
    const unbound = await connect(account.apiKey);
    expect((await tool(unbound, 'recall', { query: 'favourite colour' })).isError).toBe(true);
    // resources/list offers the connection's own end user only.
    expect((await hana.listResources()).resources.map((r) => r.uri)).toEqual(['memory://hana%40example.com']);
    const read = await hana.readResource({ uri: 'memory://hana%40example.com' });
    expect(resourceText(read)).toContain('teal');
    expect(resourceText(read)).not.toContain('orange');
  });

  it('refuses a header and a query parameter that disagree, and an invalid end user id, with 422', async () => {
    await expect(connect(account.apiKey, { endUser: 'a@example.com', query: { external_user_id: 'b@example.com' } })).rejects.toMatchObject({
      code: 422,
      message: expect.stringContaining('must equal the X-End-User-Id header'),
    });
    await expect(connect(account.apiKey, { endUser: '   ' })).rejects.toMatchObject({ code: 422, message: expect.stringContaining('X-End-User-Id') });
    const both = await connect(account.apiKey, { endUser: 'same@example.com', query: { external_user_id: 'same@example.com' } });
    expect((await tool(both, 'list_memories', {})).isError).toBe(false);
  });

  it("another account's key never reaches this account's memories", async () => {
    const user = 'jo@example.com';
    const owner = await connect(account.apiKey);
    const stored = await tool(owner, 'remember', { content: 'Jo’s locker code is 4711', external_user_id: user });
    const stranger = await connect((await createAccount()).apiKey, { endUser: user });
    expect((await tool(stranger, 'recall', { query: 'locker code', similarity_threshold: 0 })).json.results).toEqual([]);
    expect((await tool(stranger, 'list_memories', {})).json.total_count).toBe(0);
    expect((await tool(stranger, 'forget', { memory_id: stored.json.memory.id })).json.status).toBe(404);
    expect((await memoriesOf(user)).map((m) => m.id)).toEqual([stored.json.memory.id]);
  });
});

describe('MCP over stdio (npx @memory-layer/sdk mcp)', () => {
  it('bridges tools and resources to the hosted endpoint', async () => {
    const user = 'kai@example.com';
    const transport = new StdioClientTransport({
      command: path.join(ROOT, 'node_modules/.bin/tsx'),
      args: [path.join(ROOT, 'packages/sdk/src/cli.ts'), 'mcp'],
      env: { ...getDefaultEnvironment(), MEMORY_LAYER_API_KEY: account.apiKey, MEMORY_LAYER_BASE_URL: server.url, MEMORY_LAYER_USER_ID: user },
      stderr: 'pipe',
    });
    const client = new Client({ name: 'mcp-stdio-test', version: '1.0.0' });
    await client.connect(transport);
    clients.push(client);
    expect(client.getInstructions()).toContain('external_user_id');
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(TOOL_NAMES);

    const stored = await tool(client, 'remember', { content: 'Kai is flying to Lisbon on Friday' });
    expect(stored.json.memory.external_user_id).toBe(user);
    const recalled = await tool(client, 'recall', { query: 'Where is Kai travelling?' });
    expect(recalled.json.results[0].memory.id).toBe(stored.json.memory.id);
    const refused = await tool(client, 'recall', { query: 'Lisbon', external_user_id: 'someone-else@example.com' });
    expect(refused.isError).toBe(true);
    expect((await client.listResources()).resources.map((r) => r.uri)).toEqual(['memory://kai%40example.com']);
    expect(resourceText(await client.readResource({ uri: 'memory://kai%40example.com' }))).toContain('Lisbon');
    expect((await memoriesOf(user)).map((m) => m.content)).toEqual(['Kai is flying to Lisbon on Friday']);
  });

  it('exits with a clear message when the key is refused', async () => {
    const transport = new StdioClientTransport({
      command: path.join(ROOT, 'node_modules/.bin/tsx'),
      args: [path.join(ROOT, 'packages/sdk/src/cli.ts'), 'mcp'],
      env: { ...getDefaultEnvironment(), MEMORY_LAYER_API_KEY: 'mlive_wrong', MEMORY_LAYER_BASE_URL: server.url },
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const client = new Client({ name: 'mcp-stdio-test', version: '1.0.0' });
    await expect(client.connect(transport)).rejects.toThrow();
    expect(stderr).toContain('the API key was refused');
  });
});

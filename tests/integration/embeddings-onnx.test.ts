import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, toVectorLiteral } from '@/lib/db';
import { createEmbedder, type Embedder } from '@/lib/embeddings';
import { parseEnv } from '@/lib/env';
import { checkEmbeddingModel } from '@/lib/services';
import { createAccount, type TestAccount } from '@/tests/helpers/accounts';
import { startAppServer, type AppServer } from '@/tests/helpers/app-server';
import { FIXTURE_HIDDEN_SIZE, tinyModelDir } from '@/tests/helpers/onnx-model-fixture';
import { startTestApp, testEmbedder, type TestApp } from '@/tests/helpers/services';

// EMBEDDING_PROVIDER=onnx end to end over HTTP, with the tiny fixture model written at test time (never downloaded).

const USER = 'onnx-user@example.com';
const cosine = (a: number[], b: number[]) => a.reduce((sum, value, i) => sum + value * b[i]!, 0);

async function startWith(env: Record<string, string>): Promise<{ app: TestApp; server: AppServer; account: TestAccount; embedder: Embedder }> {
  const embedder = createEmbedder(parseEnv({ DATA_DIR: os.tmpdir(), ...env }));
  const app = await startTestApp({ env, overrides: { embedder } });
  const server = await startAppServer();
  const account = await createAccount();
  return { app, server, account, embedder };
}

function api(server: AppServer, account: TestAccount) {
  return async (method: string, route: string, body?: unknown) => {
    const response = await fetch(`${server.url}${route}`, {
      method,
      headers: { authorization: `Bearer ${account.apiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> };
  };
}

describe('onnx provider with a local model folder', () => {
  let modelDir: string;
  let started: Awaited<ReturnType<typeof startWith>>;
  beforeAll(async () => {
    modelDir = tinyModelDir();
    // A query instruction, to check that searches (and only searches) get it.
    started = await startWith({ EMBEDDING_PROVIDER: 'onnx', EMBEDDING_MODEL: modelDir, EMBEDDING_QUERY_PREFIX: 'what is' });
  });
  afterAll(async () => {
    await started?.server.close();
    await started?.app.stop();
    fs.rmSync(modelDir, { recursive: true, force: true });
  });

  it('stores memories with its vectors and finds the right one first', async () => {
    const { server, account, app, embedder } = started;
    const request = api(server, account);
    const berlin = await request('POST', '/v1/memory/', { content: 'I live in Berlin and work at Siemens', external_user_id: USER });
    const dog = await request('POST', '/v1/memory/', { content: 'my dog is named rex', external_user_id: USER });
    expect([berlin.status, dog.status]).toEqual([201, 201]);
    const [row] = await app.services.db.query<{ dims: number }>('select vector_dims(embedding) as dims from memories where id = $1', [berlin.body.memory.id]);
    expect(row!.dims).toBe(FIXTURE_HIDDEN_SIZE);
    expect(await app.services.db.query<{ value: string }>("select value from app_settings where key = 'embedding_model'")).toEqual([{ value: `${embedder.id}@${FIXTURE_HIDDEN_SIZE}` }]);

    const search = await request('POST', '/v1/memory/search', { query: 'my dog', external_user_id: USER, mode: 'semantic', similarity_threshold: 0 });
    expect(search.status).toBe(200);
    const results = search.body.results as { memory: { id: string }; similarity: number }[];
    expect(results.map((result) => result.memory.id)).toEqual([dog.body.memory.id, berlin.body.memory.id]);

    // The similarity is the cosine of the stored vector and the query's, the query with the instruction in front.
    const [query, dogVector] = await embedder.embed(['what is my dog', 'my dog is named rex']);
    expect(results[0]!.similarity).toBeCloseTo(cosine(query!, dogVector!), 3);
    const [plainQuery] = await embedder.embed(['my dog']);
    expect(Math.abs(results[0]!.similarity - cosine(plainQuery!, dogVector!))).toBeGreaterThan(0.001);

    const hybrid = await request('POST', '/v1/memory/search', { query: 'where do you live', external_user_id: USER, similarity_threshold: 0 });
    expect(hybrid.status).toBe(200);
    expect(hybrid.body.results[0].memory.id).toBe(berlin.body.memory.id);
  });
});

describe('onnx provider with a 384-d model (the default model\'s size)', () => {
  let modelDir: string;
  let started: Awaited<ReturnType<typeof startWith>>;
  beforeAll(async () => {
    modelDir = tinyModelDir({ hiddenSize: 384 });
    started = await startWith({ EMBEDDING_PROVIDER: 'onnx', EMBEDDING_MODEL: modelDir });
  });
  afterAll(async () => {
    await started?.server.close();
    await started?.app.stop();
    fs.rmSync(modelDir, { recursive: true, force: true });
  });

  it('account-wide search takes the 384-d HNSW index (migration 0024) and finds the memory', async () => {
    const { server, account, app } = started;
    const stored = await api(server, account)('POST', '/v1/memory/', { content: 'my dog is named rex', external_user_id: USER });
    await api(server, account)('POST', '/v1/memory/', { content: 'I live in Berlin and work at Siemens', external_user_id: 'other-user@example.com' });
    expect(stored.status).toBe(201);
    const [{ account_id: accountId }] = (await app.services.db.query<{ account_id: string }>('select account_id from memories where id = $1', [stored.body.memory.id])) as [{ account_id: string }];
    const plan = await app.services.db.transaction(async (tx) => {
      // Two rows make any plan cheap; take the sequential scan off the table to see that the index matches.
      await tx.query("select set_config('enable_seqscan', 'off', true)");
      return tx.query<Record<string, string>>(
        'explain select id from memories m where m.account_id = $1 and vector_dims(m.embedding) = 384 order by m.embedding::vector(384) <=> $2::vector(384) limit 10',
        [accountId, `[${Array.from({ length: 384 }, (_, i) => (i === 0 ? 1 : 0)).join(',')}]`],
      );
    });
    expect(plan.map((row) => Object.values(row)[0]).join('\n')).toMatch(/memories_embedding_hnsw_384/);

    const response = await fetch(`${server.url}/api/dashboard/memories/search`, {
      method: 'POST',
      headers: { authorization: `Bearer ${account.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'my dog rex', similarity_threshold: 0, limit: 5 }),
    });
    expect(response.status).toBe(200);
    const results = ((await response.json()) as { results: { memory: { id: string } }[] }).results;
    expect(results[0]!.memory.id).toBe(stored.body.memory.id);
  });
});

describe('onnx provider whose model cannot be had', () => {
  let cacheDir: string;
  let started: Awaited<ReturnType<typeof startWith>>;
  beforeAll(async () => {
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'memory-layer-empty-cache-'));
    // The default model id, an empty cache, downloads off: what a server without internet and without the files sees.
    started = await startWith({ EMBEDDING_PROVIDER: 'onnx', EMBEDDING_CACHE_DIR: cacheDir, EMBEDDING_DOWNLOAD: 'false' });
  });
  afterAll(async () => {
    await started?.server.close();
    await started?.app.stop();
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  it('answers 503 naming the model (not the cache path on the server), stores nothing, and keeps serving other requests', async () => {
    const { server, account } = started;
    const request = api(server, account);
    const stored = await request('POST', '/v1/memory/', { content: 'I live in Berlin', external_user_id: USER });
    expect(stored.status).toBe(503);
    expect(stored.headers.get('retry-after')).toBe('30');
    expect(stored.body.detail).toContain('Xenova/bge-small-en-v1.5');
    // Where the server looked (its cache path, EMBEDDING_DOWNLOAD) is for the operator's log, not for API clients.
    expect(stored.body.detail).not.toContain(cacheDir);
    const search = await request('POST', '/v1/memory/search', { query: 'where do I live', external_user_id: USER });
    expect(search.status).toBe(503);

    const listed = await request('GET', `/v1/memory/?external_user_id=${encodeURIComponent(USER)}`);
    expect(listed.status).toBe(200);
    expect(listed.body.memories).toEqual([]);
    const status = await request('GET', '/v1/status');
    expect(status.status).toBe(200);
  });
});

// The script opens the database of DATA_DIR itself (embedded PGlite), so this runs once, in the PGlite project.
describe.skipIf(process.env.TEST_DB === 'postgres')('npm run reembed onto the onnx provider', () => {
  it('re-embeds memories of the default model with the onnx model, after which the server accepts it', { timeout: 120_000 }, async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'memory-layer-reembed-'));
    const modelDir = tinyModelDir();
    try {
      const localEnv = parseEnv({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
      const onnxEnv = { DATA_DIR: dataDir, LOG_LEVEL: 'silent', EMBEDDING_PROVIDER: 'onnx', EMBEDDING_MODEL: modelDir };
      const onnx = createEmbedder(parseEnv(onnxEnv));
      const texts = ['I live in Berlin and work at Siemens', 'my dog is named rex'];
      let db = await openDatabase(localEnv, { poolSize: 1 });
      await checkEmbeddingModel(db, testEmbedder());
      await db.query("insert into accounts (id) values ('00000000-0000-0000-0000-0000000000e1')");
      for (const [i, vector] of (await testEmbedder().embed(texts)).entries()) {
        await db.query("insert into memories (account_id, end_user_id, content, embedding) values ('00000000-0000-0000-0000-0000000000e1', 'u', $1, $2::vector)", [texts[i], toVectorLiteral(vector)]);
      }
      await expect(checkEmbeddingModel(db, onnx)).rejects.toThrow(/npm run reembed/);
      await db.close();

      // The embedded database of DATA_DIR, whatever the environment of the test run says.
      const run = await promisify(execFile)(path.resolve('node_modules/.bin/tsx'), ['scripts/reembed.ts'], { env: { ...process.env, ...onnxEnv, DATABASE_URL: '' } });
      expect(run.stdout).toContain(`Done: 2 memories now use ${onnx.id}`);

      db = await openDatabase(localEnv, { poolSize: 1 });
      try {
        await expect(checkEmbeddingModel(db, onnx)).resolves.toBeUndefined();
        const rows = await db.query<{ content: string; embedding: string }>('select content, embedding::text as embedding from memories order by content');
        const expected = await onnx.embed(rows.map((row) => row.content));
        for (const [i, row] of rows.entries()) {
          const stored = JSON.parse(row.embedding) as number[];
          expect(stored).toHaveLength(FIXTURE_HIDDEN_SIZE);
          for (const [j, value] of stored.entries()) expect(value).toBeCloseTo(expected[i]![j]!, 5);
        }
      } finally {
        await db.close();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(modelDir, { recursive: true, force: true });
    }
  });
});

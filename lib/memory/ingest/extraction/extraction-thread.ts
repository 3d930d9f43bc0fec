import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, threadId as mainThreadId } from 'node:worker_threads';
import { describeError, log } from '@/lib/log';
import { factOfMessage } from './offline-facts';
import type { ConversationMessage, ExtractedFact } from './types';

// Offline extraction (compromise and the rules: tens of milliseconds of CPU per long message, a second or more for a
// conversation of long messages) runs in a worker thread, so the main thread keeps serving HTTP and the database to
// every other request meanwhile. Next bundles the worker from `new Worker(new URL(…, import.meta.url))`; run from the
// TypeScript sources (vitest, tsx scripts) the worker loads them through tsx's require hook (a dev dependency). If
// the worker cannot start, extraction runs here as before, yielding between messages.

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

let worker: Worker | undefined;
let unavailable = false;
let nextId = 0;
const pending = new Map<number, Pending>();

const FROM_SOURCES = `
const { workerData } = require('node:worker_threads');
const { createRequire } = require('node:module');
const load = createRequire(workerData.resolveFrom);
load('tsx/cjs/api').register();
load(workerData.entry);
`;

function createWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./offline-worker.ts', import.meta.url));
  const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'offline-worker.ts');
  return new Worker(FROM_SOURCES, { eval: true, workerData: { resolveFrom: path.join(process.cwd(), 'package.json'), entry } });
}

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

/** The worker died or never started: what it held is extracted here, and so is everything after. */
function giveUp(error: unknown) {
  if (!unavailable) log.warn('offline extraction runs on the main thread: its worker thread failed', describeError(error));
  unavailable = true;
  worker = undefined;
  const stranded = [...pending.values()];
  pending.clear();
  for (const item of stranded) extractHere(item.messages).then(item.resolve, item.reject);
}

function startWorker(): Worker | undefined {
  try {
    const created = createWorker();
    created.on('message', (message: { id: number; facts?: ExtractedFact[]; error?: string; threadId: number }) => {
      const item = pending.get(message.id);
      pending.delete(message.id);
      // Idle, it must not keep scripts and tests alive; busy, it must (a script awaiting only it would exit).
      if (pending.size === 0) created.unref();
      if (!item) return;
      if (message.error !== undefined) item.reject(new Error(message.error));
      else item.resolve({ facts: message.facts!, threadId: message.threadId });
    });
    created.on('error', giveUp);
    created.on('exit', (code) => {
      if (worker === created) giveUp(new Error(`extraction worker exited with code ${code}`));
    });
    created.unref();
    return created;
  } catch (error) {
    giveUp(error);
    return undefined;
  }
}

/** The offline facts of a conversation, extracted off the main thread when a worker thread is available. */
export function extractOffThread(messages: ConversationMessage[]): Promise<ThreadedExtraction> {
  if (!unavailable) worker ??= startWorker();
  if (!worker) return extractHere(messages);
  const id = nextId++;
  const running = worker;
  return new Promise<ThreadedExtraction>((resolve, reject) => {
    pending.set(id, { messages, resolve, reject });
    running.ref();
    running.postMessage({ id, messages: messages.map(({ role, content, name }) => ({ role, content, name })) });
  });
}

import { after } from 'next/server';
import { describeError, log } from '@/lib/log';

const pending = new Set<Promise<unknown>>();

/**
 * Runs work after the response is sent (Next's after(); outside a request scope — scripts and tests —
 * in the background). Failures are logged; tasks retry themselves where it matters.
 */
export function defer(task: () => Promise<unknown>): void {
  const run = () => track(task().catch((error: unknown) => log.error('deferred task failed', describeError(error))));
  try {
    // Tracked here too, so a graceful shutdown (instrumentation.ts) can wait for work started after a response.
    after(run);
  } catch {
    void run();
  }
}

/**
 * Work already started that may outlast the response (a maintenance job past its wait): the platform keeps the request
 * alive until it settles (Next's after(), waitUntil on Vercel), and a graceful shutdown waits for it as for deferred work.
 */
export function continueAfterResponse(work: Promise<unknown>): void {
  const tracked = track(work.catch((error: unknown) => log.error('background work failed', describeError(error))));
  try {
    after(() => tracked);
  } catch {
    // Outside a request (scripts, tests): it simply goes on; drainDeferred() waits for it.
  }
}

function track(promise: Promise<unknown>): Promise<unknown> {
  const tracked = promise.finally(() => pending.delete(tracked));
  pending.add(tracked);
  return tracked;
}

const openBatches = new Map<string, unknown[]>();

/**
 * Collects an item for a write that many requests share (request log, usage counters, access counts) and flushes
 * the whole batch once, shortly after the response: one statement for many requests instead of one each.
 */
export function deferBatch<T>(key: string, item: T, flush: (items: T[]) => Promise<unknown>, delayMs = 20): void {
  const open = openBatches.get(key) as T[] | undefined;
  if (open) {
    open.push(item);
    return;
  }
  const items = [item];
  openBatches.set(key, items);
  defer(async () => {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    openBatches.delete(key);
    await withRetry(() => flush(items));
  });
}

/**
 * Waits for deferred work that has started (tests, graceful shutdown), including work deferred while waiting.
 * With timeoutMs, gives up after that long; resolves true when everything finished, false on the timeout.
 */
export async function drainDeferred(options: { timeoutMs?: number } = {}): Promise<boolean> {
  const drain = async () => {
    while (pending.size > 0) await Promise.all([...pending]);
    return true;
  };
  if (options.timeoutMs === undefined) return drain();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), options.timeoutMs)));
  try {
    return await Promise.race([drain(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function withRetry<T>(task: () => Promise<T>, attempts = 3, delayMs = 100): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await task();
    } catch (error) {
      if (attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs * attempt));
    }
  }
}

import { APIConnectionError, APITimeoutError, parseRetryAfter } from './errors.js';

export type FetchLike = (input: Request) => Promise<Response>;

export interface RetryOptions {
  fetch: FetchLike;
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Per attempt; none by default. */
  timeoutMs?: number;
  /** Also retry writes (POST) on 5xx and network errors; they may then be applied twice. Default false. */
  retryNonIdempotent: boolean;
  /** A `Retry-After` longer than this (a quota spent until the month's end) is not waited for. */
  maxRetryAfterSeconds: number;
  /** First backoff step in ms; doubles each retry, with jitter, up to `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Called before each retry (attempt = the one about to start, from 2). */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string; request: Request }) => void;
}

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
// POSTs that only read (scope "read" in the registry): searching and building context change nothing.
const SAFE_POST_PATHS = [/\/v1\/memory\/search\/?$/, /\/v1\/search\/?$/, /\/v1\/context\/?$/];
const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

/** GET, DELETE, … and the read-only POSTs may be sent again without applying anything twice. */
export function isIdempotent(request: Request): boolean {
  if (IDEMPOTENT_METHODS.has(request.method)) return true;
  if (request.method !== 'POST') return false;
  const { pathname } = new URL(request.url);
  return SAFE_POST_PATHS.some((pattern) => pattern.test(pathname));
}

/** Exponential backoff with jitter: base·2^(retry−1), between half and all of it, capped. */
export function backoffDelayMs(retry: number, baseDelayMs = 500, maxDelayMs = 8_000, random = Math.random): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

function sleep(ms: number, signal: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The caller's signal and a per-attempt timeout as one signal (AbortSignal.any where the runtime has it). */
function attemptSignal(callerSignal: AbortSignal | null, timeoutMs: number | undefined): { signal: AbortSignal | undefined; timedOut: () => boolean; done: () => void } {
  if (!timeoutMs) return { signal: callerSignal ?? undefined, timedOut: () => false, done: () => {} };
  const controller = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort(new DOMException('The request timed out', 'TimeoutError'));
  }, timeoutMs);
  const forward = () => controller.abort(callerSignal?.reason);
  if (callerSignal?.aborted) forward();
  else callerSignal?.addEventListener('abort', forward, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => expired,
    done: () => {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', forward);
    },
  };
}

/**
 * A fetch that retries: 429 always (the server refused before doing anything), 408/5xx and network failures only
 * for idempotent or read-only requests unless `retryNonIdempotent`. `Retry-After` is honoured; otherwise
 * exponential backoff with jitter. The last response is returned as is (errors are typed by the caller); a network
 * failure or timeout after the last attempt throws APIConnectionError / APITimeoutError. Only web APIs are used.
 */
export function createRetryingFetch(options: RetryOptions): (input: RequestInfo | URL, init?: RequestInit) => Promise<Response> {
  return async (input, init) => {
    const original = input instanceof Request && !init ? input : new Request(input, init);
    const retriable = options.retryNonIdempotent || isIdempotent(original);
    for (let attempt = 1; ; attempt++) {
      const isLast = attempt > options.maxRetries;
      const timing = attemptSignal(original.signal, options.timeoutMs);
      // Each attempt sends a fresh copy: a body can be read only once.
      const request = new Request(original.clone(), timing.signal ? { signal: timing.signal } : {});
      let response: Response;
      try {
        response = await options.fetch(request);
      } catch (error) {
        const timedOut = timing.timedOut();
        timing.done();
        if (original.signal?.aborted) throw error;
        if (isLast || !retriable) {
          throw timedOut
            ? new APITimeoutError({ status: 0, code: 'timeout', detail: `No response within ${options.timeoutMs} ms`, cause: error })
            : new APIConnectionError({ status: 0, code: 'connection_error', detail: `Could not reach the Memory Layer API: ${(error as Error)?.message ?? error}`, cause: error });
        }
        const delayMs = backoffDelayMs(attempt, options.baseDelayMs, options.maxDelayMs);
        options.onRetry?.({ attempt: attempt + 1, delayMs, reason: timedOut ? 'timeout' : 'network error', request: original });
        await sleep(delayMs, original.signal);
        continue;
      }
      timing.done();
      if (isLast || !RETRYABLE_STATUSES.has(response.status)) return response;
      if (response.status !== 429 && !retriable) return response;
      const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
      if (retryAfter !== undefined && retryAfter > options.maxRetryAfterSeconds) return response;
      const delayMs = retryAfter !== undefined ? Math.ceil(retryAfter * 1000) : backoffDelayMs(attempt, options.baseDelayMs, options.maxDelayMs);
      // Free the connection of the response we are not going to read.
      await response.body?.cancel().catch(() => {});
      options.onRetry?.({ attempt: attempt + 1, delayMs, reason: `HTTP ${response.status}`, request: original });
      await sleep(delayMs, original.signal);
    }
  };
}

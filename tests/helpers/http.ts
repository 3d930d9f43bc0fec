import type { Operation } from '@/lib/api/operations';
import { drainDeferred } from '@/lib/core/after-response';
import { assertMatchesContract } from './response-contract';

type Handler = ((request: Request, context: { params: Promise<Record<string, string | string[] | undefined>> }) => Promise<Response>) & { operation?: Operation };

export interface CallOptions {
  body?: unknown;
  rawBody?: string;
  token?: string;
  headers?: Record<string, string>;
  params?: Record<string, string>;
  query?: Record<string, string | number>;
}

export interface CallResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

/**
 * Calls a real route handler with a real Request, as Next.js would, and checks the response against the contract its
 * operation declares in the registry (so every test that calls a route also checks the response shape).
 */
export async function call<T = any>(handler: Handler, method: string, path: string, options: CallOptions = {}): Promise<CallResult<T>> {
  const url = new URL(path, 'http://localhost:3000');
  for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, String(value));
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await handler(new Request(url, { method, headers, body }), { params: Promise.resolve(options.params ?? {}) });
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  await drainDeferred();
  if (handler.operation) assertMatchesContract(handler.operation, response.status, response.headers.get('content-type') ?? '', parsed);
  return { status: response.status, body: parsed as T, headers: response.headers, text };
}

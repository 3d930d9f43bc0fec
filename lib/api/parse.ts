import { z } from 'zod';
import { ApiError, type ValidationDetail } from '@/lib/errors';

type Location = 'body' | 'query' | 'path';

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function typeOf(issue: z.core.$ZodIssue, input: unknown): string {
  if (issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined) return 'missing';
  switch (issue.code) {
    case 'too_small':
      return issue.origin === 'string' ? 'string_too_short' : 'greater_than_equal';
    case 'too_big':
      return issue.origin === 'string' ? 'string_too_long' : 'less_than_equal';
    case 'unrecognized_keys':
      return 'extra_forbidden';
    case 'invalid_type':
      return `${issue.expected}_type`;
    default:
      return issue.code;
  }
}

/** zod issues in the reference's 422 shape: details[{type, loc, msg}]. */
export function toValidationDetails(error: z.ZodError, input: unknown, location: Location): ValidationDetail[] {
  return error.issues.map((issue) => {
    const type = typeOf(issue, input);
    return {
      type,
      loc: [location, ...issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part))],
      msg: type === 'missing' ? 'Field required' : issue.message,
    };
  });
}

export function parseWith<T>(schema: z.ZodType<T>, input: unknown, location: Location): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ApiError('validation', 'Validation error', { details: toValidationDetails(result.error, input, location) });
}

/** Reads a JSON body within maxBytes: 413 when larger, 415 for a non-JSON type, 400 when it is not JSON. */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const text = await readTextBody(request, maxBytes);
  if (text.trim() === '') return {};
  const type = request.headers.get('content-type') ?? '';
  if (type && !/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    throw new ApiError('unsupported_media_type', 'Content-Type must be application/json');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError('bad_request', 'Malformed JSON in request body');
  }
}

const payloadTooLarge = (maxBytes: number) => new ApiError('payload_too_large', `Request body exceeds the maximum of ${maxBytes} bytes`);

/**
 * Reads a body as text, refusing (`tooLarge`, 413 by default) a declared or actual size over maxBytes without
 * reading further: the one bounded reader of request bodies, for the API and the auth endpoints alike.
 */
export async function readTextBody(request: Request, maxBytes: number, tooLarge: () => Error = () => payloadTooLarge(maxBytes)): Promise<string> {
  if (Number(request.headers.get('content-length') ?? '0') > maxBytes) throw tooLarge();
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function searchParamsToObject(url: URL): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of url.searchParams) if (!(key in out)) out[key] = value;
  return out;
}

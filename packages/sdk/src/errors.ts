/** One field the server refused (422), as the API writes it: where it is (`["body", "userId"]`) and why. */
export interface ValidationDetail {
  type: string;
  loc: (string | number)[];
  msg: string;
}

export type MemoryLayerErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'validation'
  | 'rate_limited'
  | 'server_error'
  | 'connection_error'
  | 'timeout'
  | 'stream_error'
  | 'http_error';

const CODE_BY_STATUS: Record<number, MemoryLayerErrorCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'validation',
  429: 'rate_limited',
};

export interface MemoryLayerErrorInit {
  status: number;
  code?: MemoryLayerErrorCode;
  detail: string;
  details?: ValidationDetail[];
  requestId?: string;
  retryAfterSeconds?: number;
  body?: unknown;
  cause?: unknown;
}

/**
 * Every failure of the SDK. `status` is the HTTP status (0 when no response came back), `detail` the server's
 * message, `details` every refused field of a 422, `requestId` the `X-Request-Id` to quote to support.
 */
export class MemoryLayerError extends Error {
  readonly status: number;
  readonly code: MemoryLayerErrorCode;
  readonly detail: string;
  readonly details: ValidationDetail[] | undefined;
  readonly requestId: string | undefined;
  /** From `Retry-After` (429, 503): seconds the server asked to wait. */
  readonly retryAfterSeconds: number | undefined;
  /** The parsed response body, as sent. */
  readonly body: unknown;

  constructor(init: MemoryLayerErrorInit) {
    super(init.status ? `${init.status}: ${init.detail}` : init.detail, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.status = init.status;
    this.code = init.code ?? CODE_BY_STATUS[init.status] ?? (init.status >= 500 ? 'server_error' : 'http_error');
    this.detail = init.detail;
    this.details = init.details;
    this.requestId = init.requestId;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.body = init.body;
  }
}

/** 401: the API key is missing, malformed or revoked. */
export class AuthenticationError extends MemoryLayerError {}
/** 403: the key's scopes (read-only, one agent) do not allow this. */
export class PermissionDeniedError extends MemoryLayerError {}
/** 404: no such memory (another account's ids are not found either). */
export class NotFoundError extends MemoryLayerError {}
/** 422: the request was refused field by field; see `details`. */
export class ValidationError extends MemoryLayerError {}
/** 429: the per-minute rate limit or a plan quota; see `retryAfterSeconds`. */
export class RateLimitError extends MemoryLayerError {}
/** 5xx: the server or one of its providers failed. */
export class InternalServerError extends MemoryLayerError {}
/** No response: the network failed or the server could not be reached. */
export class APIConnectionError extends MemoryLayerError {}
/** No response within `timeoutMs`. */
export class APITimeoutError extends APIConnectionError {}

const CLASS_BY_STATUS: Record<number, typeof MemoryLayerError> = {
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  422: ValidationError,
  429: RateLimitError,
};

/** `Retry-After` in seconds: an integer of seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

function isValidationDetail(value: unknown): value is ValidationDetail {
  return typeof value === 'object' && value !== null && typeof (value as ValidationDetail).msg === 'string' && Array.isArray((value as ValidationDetail).loc);
}

/** The typed error of a failed response, from its status, headers and parsed body (`{detail}` or the 422 shape). */
export function errorFromResponse(status: number, headers: Headers, body: unknown): MemoryLayerError {
  const object = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const details = Array.isArray(object.details) ? object.details.filter(isValidationDetail) : undefined;
  const detail =
    typeof object.detail === 'string'
      ? object.detail
      : typeof object.message === 'string'
        ? object.message
        : typeof body === 'string' && body.trim()
          ? body.trim().slice(0, 500)
          : `HTTP ${status}`;
  const requestId = headers.get('x-request-id') ?? (typeof object.request_id === 'string' ? object.request_id : undefined);
  const ErrorClass = CLASS_BY_STATUS[status] ?? (status >= 500 ? InternalServerError : MemoryLayerError);
  return new ErrorClass({ status, detail, details, requestId, retryAfterSeconds: parseRetryAfter(headers.get('retry-after')), body });
}

/** The typed error of a failed response, reading its body once. */
export async function errorFromFetchResponse(response: Response): Promise<MemoryLayerError> {
  const text = await response.text().catch(() => '');
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return errorFromResponse(response.status, response.headers, body);
}

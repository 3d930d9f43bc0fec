import type { RouteHandler } from './route';
import { servesOperation } from './route';

interface ReferenceError {
  detail?: string;
  message?: string;
  details?: { type: string; loc: (string | number)[]; msg: string }[];
}

const TYPES: Record<number, string> = { 401: 'invalid_request_error', 403: 'permission_error', 404: 'not_found_error', 429: 'rate_limit_error' };
const CODES: Record<number, string> = { 401: 'invalid_api_key', 403: 'insufficient_permissions', 429: 'rate_limit_exceeded' };

/** The reference's error body as OpenAI writes one: `{message, type, param, code}`. */
export function toOpenAiError(status: number, body: ReferenceError) {
  const first = body.details?.[0];
  const where = (loc: (string | number)[]) => loc.slice(1).join('.');
  return {
    message: body.details?.length ? body.details.map((d) => `${where(d.loc)}: ${d.msg}`).join('; ') : (body.detail ?? body.message ?? `HTTP ${status}`),
    type: TYPES[status] ?? (status >= 500 ? 'server_error' : 'invalid_request_error'),
    param: first ? where(first.loc) : null,
    code: first?.type ?? CODES[status] ?? null,
  };
}

/**
 * OpenAI clients read an error from `{error: {message, type, param, code}}` (the openai npm client would otherwise
 * report "status code (no body)"). The route builder answers in the reference's shapes; this adds OpenAI's object
 * beside them, so the same status, headers and fields stay and both kinds of client understand the error.
 */
export function withOpenAiErrors(handler: RouteHandler): RouteHandler {
  return servesOperation(handler.operation, async (request, routeParams) => {
    const response = await handler(request, routeParams);
    if (response.ok || !response.headers.get('content-type')?.includes('application/json')) return response;
    const body = (await response.json()) as ReferenceError;
    const headers = new Headers(response.headers);
    headers.delete('content-length');
    return Response.json({ ...body, error: toOpenAiError(response.status, body) }, { status: response.status, headers });
  });
}

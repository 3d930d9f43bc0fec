import { randomUUID } from 'node:crypto';
import { createContext, type Ctx } from '@/lib/core/context';
import { checkAccess } from '@/lib/core/access';
import { withRequestTimings } from '@/lib/core/timings';
import { assertTokensLeft, consumeSearch } from '@/lib/metering/quotas';
import { logRequest } from '@/lib/metering/request-log';
import { getServices } from '@/lib/services';
import { authenticate } from './authenticate';
import { errorResponse } from './error-response';
import type { Operation } from './operations';
import { parseWith, readJsonBody, readTextBody, searchParamsToObject } from './parse';
import { applyRateLimit } from './rate-limit';
import { serverTimingHeader } from './server-timing';

type RouteParams = { params: Promise<Record<string, string | string[] | undefined>> };
export type RouteHandler = ((request: Request, routeParams: RouteParams) => Promise<Response>) & { operation: Operation };

interface HandlerArgs<B, Q, P> {
  ctx: Ctx;
  body: B;
  query: Q;
  params: P;
  request: Request;
}

async function parseInputs<B, Q, P>(request: Request, routeParams: RouteParams, operation: Operation<B, Q, P>, maxBodyBytes: number) {
  const rawParams = await routeParams.params;
  const params = operation.params ? parseWith(operation.params, rawParams, 'path') : (rawParams as P);
  const query = operation.query ? parseWith(operation.query, searchParamsToObject(new URL(request.url)), 'query') : (undefined as Q);
  const body = operation.body
    ? parseWith(operation.body, await readJsonBody(request, maxBodyBytes), 'body')
    : operation.textBody
      ? ((await readTextBody(request, operation.textBody.maxBytes)) as B)
      : (undefined as B);
  return { body, query, params };
}

/**
 * What the operation declares it consumes, charged once before the work (429 when the plan's quota is spent). Tokens
 * are only checked here, so a stream is refused before it starts; ctx.llm counts them as the model answers.
 */
export async function meter(ctx: Ctx, operation: Operation): Promise<void> {
  if (operation.meter?.search) await consumeSearch(ctx);
  if (operation.meter?.tokens && ctx.llm.mode === 'llm') await assertTokensLeft(ctx);
}

/** What a key needs for the operation: its declared scope, else GET reads and everything else writes. */
export const requiredAccess = (operation: Operation) => operation.scope ?? (operation.method === 'GET' ? 'read' : 'write');

/** Marks a handler with the operation it serves (the coverage test matches route files against the registry). */
export function servesOperation(operation: Operation, handler: (request: Request, routeParams: RouteParams) => Promise<Response>): RouteHandler {
  // A new function each time: one handler may serve two operations (GET and POST of the cron route).
  return Object.assign((request: Request, routeParams: RouteParams) => handler(request, routeParams), { operation });
}

/**
 * Builds the handler of one operation: request id → authentication → rate limit → scope → input parsing → metering →
 * handler → JSON. A handler may return a Response (streams) or any JSON-serialisable value.
 */
export function route<B, Q, P>(operation: Operation<B, Q, P>, handler: (args: HandlerArgs<B, Q, P>) => Promise<unknown>): RouteHandler {
  if (operation.auth !== 'apiKey' && operation.auth !== 'session') throw new Error(`${operation.operationId}: route() serves apiKey and session operations`);
  const auth = operation.auth;

  async function handle(request: Request, routeParams: RouteParams): Promise<Response> {
    const started = performance.now();
    const requestId = request.headers.get('x-request-id')?.slice(0, 64) || randomUUID();
    let headers: Record<string, string> = {};
    let ctx: Ctx | undefined;
    let response: Response;
    try {
      const services = await getServices();
      ctx = createContext(services, { ...(await authenticate(request, auth, services)), requestId });
      headers = await applyRateLimit(services, ctx);
      checkAccess(ctx.caller, requiredAccess(operation as Operation));
      const inputs = await parseInputs(request, routeParams, operation, services.env.MAX_BODY_BYTES);
      await meter(ctx, operation as Operation);
      const result = await handler({ ctx, request, ...inputs });
      if (result instanceof Response) {
        result.headers.set('X-Request-Id', requestId);
        for (const [name, value] of Object.entries(headers)) result.headers.set(name, value);
        response = result;
      } else {
        response = Response.json(result, { status: operation.status ?? 200, headers: { ...headers, 'X-Request-Id': requestId } });
      }
    } catch (error) {
      response = errorResponse(error, requestId, headers);
    }
    const durationMs = performance.now() - started;
    const timing = serverTimingHeader(durationMs);
    if (timing && !response.headers.has('Server-Timing')) response.headers.set('Server-Timing', timing);
    if (ctx?.caller.type === 'apiKey') {
      logRequest(ctx, {
        accountId: ctx.account.id,
        keyId: ctx.caller.keyId,
        requestId,
        method: request.method,
        path: new URL(request.url).pathname.slice(0, 200),
        status: response.status,
        durationMs: Math.round(durationMs),
      });
    }
    return response;
  }

  return servesOperation(operation as Operation, (request, routeParams) => withRequestTimings(() => handle(request, routeParams)));
}

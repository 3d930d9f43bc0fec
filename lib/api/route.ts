import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { planOf } from '@/lib/billing/plans';
import { ApiError } from '@/lib/errors';
import { getServices, type Services } from '@/lib/services';
import { recordUsage } from '@/lib/billing/usage';
import { describeError, log } from '@/lib/log';
import { authenticate, type AuthMode } from './authenticate';
import { deferBatch } from './defer';
import { serverTimingHeader, withRequestTimings } from './timing';
import { checkAccess, type Access } from './scopes';
import type { Ctx } from './context';
import { errorResponse } from './error-response';
import { parseWith, readJsonBody, searchParamsToObject } from './parse';

type RouteParams = { params: Promise<Record<string, string | string[] | undefined>> };

interface RouteOptions<B, Q, P> {
  auth: AuthMode;
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  params?: z.ZodType<P>;
  /** HTTP status of a successful answer (default 200). */
  status?: number;
  /** What a scoped API key needs: GET defaults to read, other methods to write. */
  access?: Access;
}

interface HandlerArgs<B, Q, P> {
  ctx: Ctx;
  body: B;
  query: Q;
  params: P;
  request: Request;
}

type Handler<B, Q, P> = (args: HandlerArgs<B, Q, P>) => Promise<unknown>;

/** The account's limit is the plan's; each key (or dashboard user) gets the same share, so one key cannot starve others. */
async function applyRateLimit(services: Services, ctx: Ctx): Promise<Record<string, string>> {
  const perMinute = planOf(ctx.account.plan).requestsPerMinute;
  if (perMinute === null) return {};
  const callerKey = ctx.caller.type === 'apiKey' ? `key:${ctx.caller.keyId}` : ctx.caller.type === 'session' ? `user:${ctx.caller.userId}` : `system:${ctx.caller.name}`;
  let decisions;
  try {
    decisions = await Promise.all([services.rateLimiter.limit(callerKey, perMinute), services.rateLimiter.limit(`account:${ctx.account.id}`, perMinute)]);
  } catch (error) {
    // Fail open: an unreachable limiter store must not take the API down (quotas in Postgres still hold).
    log.warn('rate limiter unavailable; request allowed', { requestId: ctx.requestId, ...describeError(error) });
    return {};
  }
  const tightest = decisions.reduce((a, b) => (b.remaining < a.remaining || !b.allowed ? b : a));
  const headers = {
    'X-RateLimit-Limit': String(tightest.limit),
    'X-RateLimit-Remaining': String(decisions.every((d) => d.allowed) ? tightest.remaining : 0),
    'X-RateLimit-Reset': String(Math.ceil(tightest.reset / 1000)),
  };
  const refused = decisions.find((decision) => !decision.allowed);
  if (refused) {
    throw new ApiError('rate_limited', 'Rate limit exceeded. Upgrade your plan or wait.', { headers: { ...headers, 'Retry-After': String(refused.retryAfterSeconds) } });
  }
  return headers;
}

async function parseInputs<B, Q, P>(request: Request, routeParams: RouteParams, options: RouteOptions<B, Q, P>, maxBodyBytes: number) {
  const rawParams = await routeParams.params;
  const params = options.params ? parseWith(options.params, rawParams, 'path') : (rawParams as P);
  const query = options.query ? parseWith(options.query, searchParamsToObject(new URL(request.url)), 'query') : (undefined as Q);
  const body = options.body ? parseWith(options.body, await readJsonBody(request, maxBodyBytes), 'body') : (undefined as B);
  return { body, query, params };
}

interface RequestLogRow {
  accountId: string;
  keyId: string | null;
  requestId: string;
  method: string;
  path: string;
  status: number;
  durationMs: number;
}

/** One insert for every request logged since the last flush, and one counter update per account. */
async function writeRequestLog(db: Services['db'], rows: RequestLogRow[], now: Date): Promise<void> {
  await db.query(
    `insert into request_log (account_id, api_key_id, request_id, method, path, status, duration_ms)
     select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[])`,
    [rows.map((r) => r.accountId), rows.map((r) => r.keyId) as string[], rows.map((r) => r.requestId), rows.map((r) => r.method), rows.map((r) => r.path), rows.map((r) => String(r.status)), rows.map((r) => String(r.durationMs))],
  );
  const perAccount = new Map<string, number>();
  for (const row of rows) perAccount.set(row.accountId, (perAccount.get(row.accountId) ?? 0) + 1);
  for (const [accountId, count] of perAccount) await recordUsage({ db, account: { id: accountId }, now: () => now }, 'requests', count);
}

/** After the response: a request-log row (usage charts, latency, recent errors) and the daily request counter. */
function logApiRequest(ctx: Ctx, request: Request, status: number, durationMs: number): void {
  const row: RequestLogRow = {
    accountId: ctx.account.id,
    keyId: ctx.caller.type === 'apiKey' ? ctx.caller.keyId : null,
    requestId: ctx.requestId,
    method: request.method,
    path: new URL(request.url).pathname.slice(0, 200),
    status,
    durationMs: Math.round(durationMs),
  };
  deferBatch('request_log', row, (rows) => writeRequestLog(ctx.db, rows, ctx.now()));
}

/**
 * Builds a route handler: request id → authentication → rate limit → input parsing → handler → JSON.
 * A handler may return a Response (streams) or any JSON-serialisable value.
 */
export function route<B = undefined, Q = undefined, P = Record<string, string>>(options: RouteOptions<B, Q, P>, handler: Handler<B, Q, P>) {
  return (request: Request, routeParams: RouteParams): Promise<Response> => withRequestTimings(() => handle(request, routeParams));

  async function handle(request: Request, routeParams: RouteParams): Promise<Response> {
    const started = performance.now();
    const requestId = request.headers.get('x-request-id')?.slice(0, 64) || randomUUID();
    let headers: Record<string, string> = {};
    let ctx: Ctx | undefined;
    let response: Response;
    try {
      const services = await getServices();
      const identity = await authenticate(request, options.auth, services);
      ctx = { ...services, ...identity, requestId };
      headers = await applyRateLimit(services, ctx);
      checkAccess(ctx.caller, options.access ?? (request.method === 'GET' ? 'read' : 'write'));
      const inputs = await parseInputs(request, routeParams, options, services.env.MAX_BODY_BYTES);
      const result = await handler({ ctx, request, ...inputs });
      if (result instanceof Response) {
        result.headers.set('X-Request-Id', requestId);
        for (const [name, value] of Object.entries(headers)) result.headers.set(name, value);
        response = result;
      } else {
        response = Response.json(result, { status: options.status ?? 200, headers: { ...headers, 'X-Request-Id': requestId } });
      }
    } catch (error) {
      response = errorResponse(error, requestId, headers);
    }
    const durationMs = performance.now() - started;
    const timing = serverTimingHeader(durationMs);
    if (timing && !response.headers.has('Server-Timing')) response.headers.set('Server-Timing', timing);
    if (ctx?.caller.type === 'apiKey') logApiRequest(ctx, request, response.status, durationMs);
    return response;
  }
}

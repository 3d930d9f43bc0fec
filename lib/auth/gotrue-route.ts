import { randomUUID } from 'node:crypto';
import { describeError, log } from '@/lib/log';
import { getServices, type Services } from '@/lib/services';
import { readTextBody } from '@/lib/api/parse';
import { clientAddressOf } from './client-address';
import { GoTrueError } from './gotrue-error';

/** Auth bodies are an email, a password and a token: anything near this size is not a sign-in. */
export const MAX_AUTH_BODY_BYTES = 64 * 1024;

interface GoTrueRequest {
  services: Services;
  request: Request;
  issuer: string;
  /** The request's own origin, which its Host header chooses: never use it for links sent to someone else. */
  requestOrigin: string;
  clientAddress: string | null;
}

/** Route wrapper for the local auth endpoints: GoTrue's error shape ({code, error_code, msg}). */
export function gotrueRoute(handler: (args: GoTrueRequest) => Promise<unknown>) {
  return async (request: Request): Promise<Response> => {
    const requestId = randomUUID();
    const headers = { 'X-Request-Id': requestId, 'Cache-Control': 'no-store' };
    try {
      const services = await getServices();
      if (services.env.supabaseAuth) {
        return Response.json({ code: 404, error_code: 'not_found', msg: 'Local auth is off: this deployment uses Supabase Auth' }, { status: 404, headers });
      }
      const requestOrigin = new URL(request.url).origin;
      const clientAddress = clientAddressOf(request.headers, services.env.TRUSTED_PROXY_HOPS);
      const result = await handler({ services, request, issuer: `${requestOrigin}/auth/v1`, requestOrigin, clientAddress });
      if (result === undefined) return new Response(null, { status: 204, headers });
      return Response.json(result, { headers });
    } catch (error) {
      if (error instanceof GoTrueError) {
        return Response.json({ code: error.status, error_code: error.errorCode, msg: error.message }, { status: error.status, headers });
      }
      log.error('auth request failed', { requestId, ...describeError(error) });
      return Response.json({ code: 500, error_code: 'unexpected_failure', msg: 'Internal server error' }, { status: 500, headers });
    }
  };
}

const tooLarge = () => new GoTrueError(413, 'request_too_large', `Request body exceeds the maximum of ${MAX_AUTH_BODY_BYTES} bytes`);

export async function readJson(request: Request): Promise<unknown> {
  // At most MAX_AUTH_BODY_BYTES: these endpoints take unauthenticated traffic before any throttle applies.
  const text = await readTextBody(request, MAX_AUTH_BODY_BYTES, tooLarge);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new GoTrueError(400, 'bad_json', 'Could not parse request body as JSON');
  }
}

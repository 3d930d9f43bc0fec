import { randomUUID } from 'node:crypto';
import { describeError, log } from '@/lib/log';
import { getServices, type Services } from '@/lib/services';
import { GoTrueError } from './local-auth';

/** Route wrapper for the local auth endpoints: GoTrue's error shape ({code, error_code, msg}). */
export function gotrueRoute(handler: (args: { services: Services; request: Request; issuer: string }) => Promise<unknown>) {
  return async (request: Request): Promise<Response> => {
    const requestId = randomUUID();
    const headers = { 'X-Request-Id': requestId, 'Cache-Control': 'no-store' };
    try {
      const services = await getServices();
      if (services.env.supabaseAuth) {
        return Response.json({ code: 404, error_code: 'not_found', msg: 'Local auth is off: this deployment uses Supabase Auth' }, { status: 404, headers });
      }
      const issuer = `${new URL(request.url).origin}/auth/v1`;
      const result = await handler({ services, request, issuer });
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

export async function readJson(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    throw new GoTrueError(400, 'bad_json', 'Could not parse request body as JSON');
  }
}

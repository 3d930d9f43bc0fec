import { ApiError } from '@/lib/errors';
import { describeError, log } from '@/lib/log';

/** The only place errors become JSON, in the shapes of the API references. */
export function errorResponse(error: unknown, requestId: string, headers: Record<string, string> = {}): Response {
  const apiError = toApiError(error);
  if (apiError.status >= 500) log.error('request failed', { requestId, status: apiError.status, ...describeError(error) });
  const body =
    apiError.code === 'validation'
      ? { status: 'error', message: apiError.message, details: apiError.details ?? [], timestamp: new Date().toISOString() }
      : apiError.code === 'internal'
        ? { detail: 'Internal server error. Please try again.', request_id: requestId }
        : { detail: apiError.message };
  return Response.json(body, { status: apiError.status, headers: { ...headers, ...apiError.headers, 'X-Request-Id': requestId } });
}

function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (isConnectionFailure(error)) return new ApiError('unavailable', 'The database is unavailable. Please retry shortly.', { cause: error });
  // 57014: the statement ran past its statement_timeout (lib/db/postgres.ts), so one request cannot hold the database.
  if ((error as { code?: unknown })?.code === '57014') return new ApiError('timeout', 'The database took too long to answer. Please retry.', { cause: error });
  return new ApiError('internal', 'Internal server error', { cause: error });
}

function isConnectionFailure(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', '57P01', '57P03'].includes(code);
}

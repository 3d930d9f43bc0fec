import { END_USER_HEADER, ExternalUserId } from '@/lib/schemas/common';
import { ApiError } from '@/lib/errors';

export const NO_END_USER =
  `No end user: pass "external_user_id" in the tool's arguments, or connect with the ${END_USER_HEADER} header ` +
  '(or ?external_user_id= on the /mcp URL) to use one end user for every call.';

/**
 * The end user a connection is bound to: the X-End-User-Id header or the `external_user_id` query parameter (already
 * validated by the registry's query schema). Both may be given only if they agree; neither leaves every call to name one.
 */
export function sessionEndUser(headerValue: string | null, queryValue: string | undefined): string | undefined {
  let fromHeader: string | undefined;
  if (headerValue !== null) {
    const parsed = ExternalUserId.safeParse(headerValue);
    if (!parsed.success) {
      throw new ApiError('validation', 'Validation error', {
        details: parsed.error.issues.map((issue) => ({ type: 'value_error', loc: ['header', END_USER_HEADER], msg: issue.message })),
      });
    }
    fromHeader = parsed.data;
  }
  if (fromHeader !== undefined && queryValue !== undefined && fromHeader !== queryValue) {
    throw new ApiError('validation', 'Validation error', {
      details: [{ type: 'value_error', loc: ['query', 'external_user_id'], msg: `must equal the ${END_USER_HEADER} header when both are given` }],
    });
  }
  return fromHeader ?? queryValue;
}

/** The end user of one call: the argument, else the connection's; never another user than the connection's, never none. */
export function endUserOfCall(bound: string | undefined, requested: string | undefined): string {
  if (bound !== undefined && requested !== undefined && requested !== bound) {
    throw new ApiError('forbidden', `This connection is bound to one end user (${END_USER_HEADER}); omit external_user_id or pass the same id.`);
  }
  const endUserId = requested ?? bound;
  if (endUserId === undefined) throw new ApiError('bad_request', NO_END_USER);
  return endUserId;
}

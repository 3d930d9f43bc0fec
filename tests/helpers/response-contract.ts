import type { z } from 'zod';
import type { Operation } from '@/lib/api/operations';
import { ErrorResponse, ValidationErrorResponse } from '@/lib/schemas/errors';

/** Paths of keys the body has and the parsed value does not: fields the declared schema does not know. */
function undeclaredKeys(body: unknown, parsed: unknown, path = '$'): string[] {
  if (Array.isArray(body) && Array.isArray(parsed)) return body.flatMap((item, i) => undeclaredKeys(item, parsed[i], `${path}[${i}]`));
  if (body && typeof body === 'object' && parsed && typeof parsed === 'object' && !Array.isArray(body)) {
    const declared = parsed as Record<string, unknown>;
    return Object.entries(body).flatMap(([key, value]) => (key in declared ? undeclaredKeys(value, declared[key], `${path}.${key}`) : [`${path}.${key}`]));
  }
  return [];
}

/**
 * Checks a real response against what the registry declares for its operation: the success schema for the success
 * status, the error shapes of the API references otherwise. Throws with the differences.
 */
export function assertMatchesContract(operation: Operation, status: number, contentType: string, body: unknown): void {
  if (!contentType.includes('application/json')) return;
  const schema: z.ZodType | undefined =
    status === (operation.status ?? 200) ? operation.response : status === 422 ? ValidationErrorResponse : status >= 400 ? ErrorResponse : undefined;
  if (!schema) {
    if (status < 400 && operation.response) throw new Error(`${operation.operationId} answered ${status}, declared ${operation.status ?? 200}`);
    return;
  }
  const result = schema.safeParse(body);
  if (!result.success) throw new Error(`${operation.operationId} ${status}: the response does not match its declared schema: ${JSON.stringify(result.error.issues.slice(0, 5))}`);
  const extra = undeclaredKeys(body, result.data);
  if (extra.length) throw new Error(`${operation.operationId} ${status}: undeclared fields ${extra.slice(0, 10).join(', ')}`);
}

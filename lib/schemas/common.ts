import { z } from 'zod';

/** Any JSON value (metadata values, job counts). One schema, so the OpenAPI document names it once. */
export const JsonValue = z.json();

const NUL = '\u0000';
const hasNul = (value: string) => value.includes(NUL);

/** Postgres text cannot hold NUL characters, so they are refused up front instead of failing in the database. */
export const text = (field: string, max: number) =>
  z
    .string()
    .max(max, `${field} must be at most ${max} characters`)
    .refine((value) => !hasNul(value), `${field} must not contain NUL characters`);

export const ExternalUserId = text('external_user_id', 255)
  .refine((value) => value.trim().length > 0, 'external_user_id must not be empty')
  .transform((value) => value.trim())
  .describe("Your end user's id (their email is recommended). Every memory is isolated per id.");

/** The header that names the end user where a body cannot (MCP connections, OpenAI-compatible chat). */
export const END_USER_HEADER = 'X-End-User-Id';

function containsNul(value: unknown, depth = 0): boolean {
  if (depth > 20) return true;
  if (typeof value === 'string') return hasNul(value);
  if (Array.isArray(value)) return value.some((item) => containsNul(item, depth + 1));
  if (value && typeof value === 'object') return Object.entries(value).some(([k, v]) => hasNul(k) || containsNul(v, depth + 1));
  return false;
}

export const METADATA_MAX_BYTES = 16_384;

export const Metadata = z
  .record(z.string(), JsonValue)
  .refine((value) => !containsNul(value), 'metadata must not contain NUL characters or nest deeper than 20 levels')
  .refine((value) => Buffer.byteLength(JSON.stringify(value)) <= METADATA_MAX_BYTES, `metadata must be at most ${METADATA_MAX_BYTES} bytes as JSON`)
  .describe('Free-form key-value metadata (source, session_id, tags, …).');

/** A query-string integer: "abc", "1.5" and "" are validation errors, not NaN. */
export const queryInt = (min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^-?\d+$/, 'Input should be a valid integer')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .optional()
    .transform((value) => value ?? fallback);

export const queryNumber = (min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^-?(\d+\.?\d*|\.\d+)$/, 'Input should be a valid number')
    .transform(Number)
    .pipe(z.number().min(min).max(max))
    .optional()
    .transform((value) => value ?? fallback);

export const queryBoolean = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .transform((value) => value === 'true' || value === '1')
    .optional()
    .transform((value) => value ?? fallback);

/** When something was said (ISO 8601 with an offset), for importing history; never in the future. */
export const PastTimestamp = z.iso
  .datetime({ offset: true })
  // An unparsable value is the format check's error alone, not also "in the future".
  .refine((value) => !(Date.parse(value) > Date.now() + 5 * 60_000), 'timestamp must not be in the future');

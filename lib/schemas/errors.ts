import { z } from 'zod';

// The error shapes of both API references; lib/api/error-response.ts is the only place that produces them.

/** The same error in OpenAI's shape, added beside the reference's fields on /v1/openai/* by lib/api/openai-errors.ts. */
export const OpenAiError = z
  .object({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string().nullable() })
  .describe("On /v1/openai/* only: the error in OpenAI's shape, which the openai clients read.");

export const ErrorResponse = z.object({
  detail: z.string(),
  request_id: z.string().optional().describe('On 500 only: quote it to support; the cause is in the server log.'),
  error: OpenAiError.optional(),
});

export const ValidationErrorResponse = z.object({
  status: z.literal('error'),
  message: z.string(),
  details: z.array(z.object({ type: z.string(), loc: z.array(z.union([z.string(), z.int()])), msg: z.string() })),
  timestamp: z.string(),
  error: OpenAiError.optional(),
});

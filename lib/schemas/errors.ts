import { z } from 'zod';

// The error shapes of both API references; lib/api/error-response.ts is the only place that produces them.

export const ErrorResponse = z.object({
  detail: z.string(),
  request_id: z.string().optional().describe('On 500 only: quote it to support; the cause is in the server log.'),
});

export const ValidationErrorResponse = z.object({
  status: z.literal('error'),
  message: z.string(),
  details: z.array(z.object({ type: z.string(), loc: z.array(z.union([z.string(), z.int()])), msg: z.string() })),
  timestamp: z.string(),
});

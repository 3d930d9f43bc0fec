import { z } from 'zod';
import { ExternalUserId, queryInt } from './common';
import { ContextResponse } from './conversation';
import { SearchMemoriesBody, SearchMemoriesResponse } from './memory';

export const EndUsersQuery = z.object({
  search: z.string().max(255).optional(),
  limit: queryInt(1, 200, 50),
  offset: queryInt(0, 10_000_000, 0),
});

export const EndUserParams = z.object({ external_user_id: ExternalUserId });

/** Dashboard search: one end user's memories (exact), or with no external_user_id every end user of the account. */
export const DashboardSearchBody = SearchMemoriesBody.extend({
  external_user_id: ExternalUserId.optional().describe('Leave out to search every end user of the account.'),
  exact: z.boolean().default(false).describe('Account-wide only: scan every row instead of the HNSW index.'),
});
export type AccountSearchInput = z.infer<typeof DashboardSearchBody>;

export const EndUsersResponse = z.object({
  end_users: z.array(z.object({ external_user_id: z.string(), memory_count: z.int(), last_memory_at: z.string() })),
  total_count: z.int(),
  limit: z.int(),
  offset: z.int(),
});

export const AccountSearchResponse = SearchMemoriesResponse.extend({
  mode: z.enum(['hybrid', 'semantic', 'hnsw', 'exact']).describe('hnsw or exact: across every end user of the account.'),
});

export const UsageReportResponse = z.object({
  daily: z.array(z.object({ day: z.string(), requests: z.int(), errors: z.int() })),
  latency: z.object({ p50_ms: z.number().nullable(), p95_ms: z.number().nullable(), requests_7d: z.int() }),
  recent_errors: z.array(z.object({ request_id: z.string(), method: z.string(), path: z.string(), status: z.int(), created_at: z.string() })),
});

export const CheckoutBody = z.object({ plan: z.enum(['starter', 'pro', 'scale']) });
export const RedirectResponse = z.object({ url: z.string() });

export const BillingResponse = z.object({
  plan: z.string(),
  subscriptionStatus: z.string().nullable(),
  billingEnabled: z.boolean(),
  hasCustomer: z.boolean(),
  plans: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      priceMonthlyUsd: z.number().nullable(),
      memories: z.int().nullable(),
      searches: z.object({ limit: z.int(), period: z.enum(['day', 'month']) }).nullable(),
      tokensPerMonth: z.int().nullable(),
      requestsPerMinute: z.int().nullable(),
      storageLimitMb: z.number().nullable(),
    }),
  ),
});

/** The Playground's context preview: /v1/context's answer, with the text of each memory the budget left out. */
export const DashboardContextResponse = ContextResponse.extend({
  omitted: z.array(z.object({ memoryId: z.uuid(), reason: z.literal('token_budget'), text: z.string() })),
});

export type EndUsersResponseT = z.infer<typeof EndUsersResponse>;
export type AccountSearchResponseT = z.infer<typeof AccountSearchResponse>;
export type UsageReportResponseT = z.infer<typeof UsageReportResponse>;
export type BillingResponseT = z.infer<typeof BillingResponse>;
export type DashboardContextResponseT = z.infer<typeof DashboardContextResponse>;

export const AccountSettingsResponse = z.object({
  scheduled_pruning: z
    .boolean()
    .describe('Whether scheduled maintenance may archive this account’s stale memories (counted from when each was stored). Off unless the account opts in.'),
  scheduled_llm_summaries: z
    .boolean()
    .describe('Whether scheduled maintenance may write this account’s summaries with the configured LLM, spending its LLM tokens. Off unless the account opts in: scheduled summaries are then extractive (no model call). Summaries the account requests itself always use the LLM.'),
});
/** The settings to change; one left out keeps its value. */
export const AccountSettingsBody = z.object({
  scheduled_pruning: z.boolean('scheduled_pruning must be true or false').optional(),
  scheduled_llm_summaries: z.boolean('scheduled_llm_summaries must be true or false').optional(),
});

import { z } from 'zod';
import { ExternalUserId, queryInt } from './common';
import { SearchMemoriesBody } from './memory';

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

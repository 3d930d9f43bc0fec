import { z } from 'zod';
import { ExternalUserId, queryInt } from './common';

export const EndUsersQuery = z.object({
  search: z.string().max(255).optional(),
  limit: queryInt(1, 200, 50),
  offset: queryInt(0, 10_000_000, 0),
});

export const EndUserParams = z.object({ external_user_id: ExternalUserId });

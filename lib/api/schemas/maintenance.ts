import { z } from 'zod';
import { ExternalUserId, queryBoolean, queryInt, queryNumber } from './common';

export const PruneQuery = z.object({
  max_age_days: queryInt(0, 36_500, 90).describe('Archive memories with no activity for this many days.'),
  min_importance: queryNumber(0, 1, 0.1).describe('Archive memories with importance below this.'),
  max_memories: queryInt(1, 10_000_000, 10_000).describe('Keep at most this many per end user (most recently active).'),
  archive_only: queryBoolean(true).describe('Archive (restorable) instead of deleting.'),
  dry_run: queryBoolean(false).describe('Only report what would be pruned.'),
  external_user_id: ExternalUserId.optional(),
});

export const JobTypeParams = z.object({
  job_type: z.enum(['pruning', 'summarization', 'link-optimization', 'importance-recalculation', 'all']),
});

export const UserScopeQuery = z.object({ external_user_id: ExternalUserId.optional() });

export const RunsQuery = z.object({ limit: queryInt(1, 200, 50), offset: queryInt(0, 10_000_000, 0) });

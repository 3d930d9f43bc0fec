import { z } from 'zod';
import { ExternalUserId, JsonValue, queryBoolean, queryInt, queryNumber } from './common';

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

/** Seconds a maintenance request waits for its job; a job still going then goes on in the background. */
export const MAINTENANCE_WAIT_SECONDS = 20;
export const MaintenanceQuery = UserScopeQuery.extend({
  wait: queryInt(0, 60, MAINTENANCE_WAIT_SECONDS).describe(
    'Seconds to wait for the job. A job still going after that answers `status: "running"` and goes on in the background; follow it with GET /v1/memory/maintenance/runs. 0: answer at once.',
  ),
});

export const RunsQuery = z.object({ limit: queryInt(1, 200, 50), offset: queryInt(0, 10_000_000, 0) });

export const RunView = z.object({
  id: z.uuid(),
  job_type: z.string(),
  trigger: z.string(),
  status: z.enum(['running', 'succeeded', 'failed', 'interrupted']),
  params: z.record(z.string(), JsonValue),
  progress: z.record(z.string(), JsonValue).describe('While running: the step and end users done of total.'),
  counts: z.record(z.string(), JsonValue),
  error: z.string().nullable(),
  attempts: z.int().describe('Starts of this run: 1, plus one each time a run whose process stopped was resumed.'),
  started_at: z.string(),
  finished_at: z.string().nullable(),
  duration_ms: z.int().nullable(),
});

export const MaintenanceRunResponse = z.object({
  status: z.enum(['success', 'error', 'running']).describe('`running`: the job outlasted `wait` and goes on in the background (`run.progress` says how far it is).'),
  run: RunView,
});
export const RunsResponse = z.object({ runs: z.array(RunView), total_count: z.int(), limit: z.int(), offset: z.int() });

export const PruneResponse = z.object({
  status: z.literal('success'),
  dry_run: z.boolean(),
  archive_only: z.boolean(),
  pruned_count: z.int(),
  by_reason: z.record(z.string(), z.int()),
  criteria: z.object({ max_age_days: z.int(), min_importance: z.number(), max_memories: z.int() }),
  memories: z.array(z.object({ id: z.uuid(), external_user_id: z.string(), reason: z.enum(['low_importance', 'stale', 'over_max_memories']) })),
  truncated: z.boolean(),
});

export type RunViewT = z.infer<typeof RunView>;

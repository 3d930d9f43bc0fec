import { agentScopeOf } from '@/lib/core/access';
import type { Ctx } from '@/lib/core/context';
import { ApiError } from '@/lib/errors';
import { continueAfterResponse } from '@/lib/core/after-response';
import { describeError, log } from '@/lib/log';
import { recalculateImportance } from './importance';
import { rebuildLinks } from './links';
import { pruneMemories, type PruneOptions } from './prune';
import { endUsersOf, finishRun, reportProgress, runView, startRun, type JobType, type RunTrigger } from './runs';
import { summarizeEndUser } from './summarize';

export const PRUNE_DEFAULTS: PruneOptions = { max_age_days: 90, min_importance: 0.1, max_memories: 10_000, archive_only: true, dry_run: false };

type Counts = Record<string, number>;

async function perUser(ctx: Ctx, runId: string, label: string, endUserId: string | undefined, work: (user: string) => Promise<Counts>): Promise<Counts> {
  const users = await endUsersOf(ctx.db, { accountId: ctx.account.id, endUserId, agentId: agentScopeOf(ctx.caller) });
  const totals: Counts = { end_users: users.length };
  for (const [index, user] of users.entries()) {
    for (const [key, value] of Object.entries(await work(user))) totals[key] = (totals[key] ?? 0) + value;
    await reportProgress(ctx.db, runId, { step: label, end_users_done: index + 1, end_users_total: users.length });
  }
  return totals;
}

const STEPS: Record<Exclude<JobType, 'all'>, (ctx: Ctx, runId: string, params: { endUserId?: string; prune: PruneOptions }) => Promise<Record<string, unknown>>> = {
  'importance-recalculation': async (ctx, _runId, { endUserId }) => ({ memories_updated: await recalculateImportance(ctx, endUserId) }),
  'link-optimization': (ctx, runId, { endUserId }) => perUser(ctx, runId, 'link-optimization', endUserId, async (user) => ({ links: await rebuildLinks(ctx, user) })),
  summarization: (ctx, runId, { endUserId }) =>
    perUser(ctx, runId, 'summarization', endUserId, async (user) => {
      const result = await summarizeEndUser(ctx, user);
      return { clusters: result.clusters, summaries_created: result.created, summaries_unchanged: result.unchanged, summaries_removed: result.removed };
    }),
  pruning: async (ctx, runId, { prune }) => {
    const result = await pruneMemories({ ctx, input: prune, onProgress: (done, total) => reportProgress(ctx.db, runId, { step: 'pruning', end_users_done: done, end_users_total: total }) });
    return { pruned: result.pruned_count, dry_run: result.dry_run, archive_only: result.archive_only, ...result.by_reason };
  },
};

const ALL_ORDER: Exclude<JobType, 'all'>[] = ['importance-recalculation', 'pruning', 'summarization', 'link-optimization'];

/**
 * What a failed run shows its account: an ApiError's own message (written for the caller), else a generic one with the
 * request id. A database error's text names tables, constraints and values; it stays in the server log.
 */
export function runErrorMessage(error: unknown, requestId: string): string {
  if (error instanceof ApiError && error.status < 500) return error.message;
  return `The job failed on an internal error (request ${requestId}).`;
}

/**
 * Runs one maintenance job (or all, in order) for the caller's account only (and, for an agent-scoped key, its
 * agent's memories only: each step reads the scope from ctx), recording the run with the agent in its params: start,
 * end, counts, progress and errors. Work is committed per end user, so a run that stops half-way leaves every end
 * user either done or untouched. With `waitMs` (a request), a job still going after that long is answered as
 * `running` and goes on after the response (continueAfterResponse); its run records the outcome. Without it (cron,
 * scripts), the job is awaited.
 */
export async function runMaintenance({
  ctx,
  input,
  waitMs,
}: {
  ctx: Ctx;
  /** `prune: false` leaves pruning out of 'all' (a scheduled run of an account that did not opt in to it). */
  input: { jobType: JobType; trigger: RunTrigger; endUserId?: string; prune?: Partial<PruneOptions> | false };
  waitMs?: number;
}) {
  const pruning = input.prune !== false && (input.jobType === 'pruning' || input.jobType === 'all');
  const prune = { ...PRUNE_DEFAULTS, ...(input.prune || {}), external_user_id: input.endUserId };
  const params = {
    external_user_id: input.endUserId ?? null,
    agent_id: agentScopeOf(ctx.caller) ?? null,
    ...(pruning ? { prune } : {}),
  };
  const runId = await startRun(ctx.db, { accountId: ctx.account.id, jobType: input.jobType, trigger: input.trigger, params, now: ctx.now() });
  const steps = (input.jobType === 'all' ? ALL_ORDER : [input.jobType]).filter((step) => step !== 'pruning' || pruning);
  const job = (async () => {
    const counts: Record<string, unknown> = {};
    try {
      for (const step of steps) counts[step] = await STEPS[step](ctx, runId, { endUserId: input.endUserId, prune });
      return { status: 'success' as const, run: await finishRun(ctx.db, runId, { status: 'succeeded', counts: input.jobType === 'all' ? counts : (counts[input.jobType] as Counts), now: ctx.now() }) };
    } catch (error) {
      log.error('maintenance job failed', { runId, requestId: ctx.requestId, jobType: input.jobType, ...describeError(error) });
      const run = await finishRun(ctx.db, runId, { status: 'failed', counts, error: runErrorMessage(error, ctx.requestId), now: ctx.now() });
      return { status: 'error' as const, run };
    }
  })();
  if (waitMs === undefined) return job;
  if (waitMs <= 0) {
    continueAfterResponse(job);
    return { status: 'running' as const, run: await runView(ctx.db, runId) };
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waited = new Promise<'waited'>((resolve) => (timer = setTimeout(() => resolve('waited'), waitMs)));
  const first = await Promise.race([job, waited]);
  clearTimeout(timer);
  if (first !== 'waited') return first;
  continueAfterResponse(job);
  return { status: 'running' as const, run: await runView(ctx.db, runId) };
}

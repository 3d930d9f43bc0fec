import { agentScopeOf } from '@/lib/core/access';
import type { Ctx } from '@/lib/core/context';
import { ApiError } from '@/lib/errors';
import { continueAfterResponse } from '@/lib/core/after-response';
import { describeError, log } from '@/lib/log';
import { recalculateImportance } from './importance';
import { rebuildLinks } from './links';
import { pruneMemories, type PruneOptions } from './prune';
import {
  endUsersOf,
  finishRun,
  heartbeat,
  HEARTBEAT_MS,
  LeaseLostError,
  reportProgress,
  runView,
  startRun,
  type JobType,
  type RunLease,
  type RunTrigger,
} from './runs';
import { summarizeEndUser } from './summarize';

export const PRUNE_DEFAULTS: PruneOptions = { max_age_days: 90, min_importance: 0.1, max_memories: 10_000, archive_only: true, dry_run: false };

type StepName = Exclude<JobType, 'all'>;
type Counts = Record<string, number>;
type StepCounts = Record<string, unknown>;

/** What a job does, read from its run's params: the same for its first start and a resumed one. */
export interface JobPlan {
  jobType: JobType;
  endUserId?: string;
  /** Present when pruning is one of the steps: the request's criteria. */
  prune?: PruneOptions;
}

/** A run's checkpoint: the step going on, its end users done, and the counts so far, so a resumed run goes on from there. */
export interface RunCheckpoint {
  step?: string;
  end_users_done?: number;
  /** The counts of the steps done. */
  completed?: Record<string, StepCounts>;
  /** The current step's counts over its end users done. */
  step_counts?: Counts;
}

interface StepRun {
  ctx: Ctx;
  lease: RunLease;
  plan: JobPlan;
  completed: Record<string, StepCounts>;
  /** A resumed step: the end users its earlier start finished, and their counts. */
  resume?: { done: number; totals: Counts };
}

/**
 * Runs a step over the end users in endUsersOf's stable order, each committed on its own, recording progress (and a
 * checkpoint with the counts so far) after each one. A resumed step skips the end users done and adds to their counts; the end user in
 * hand when a process stopped is done again, which each step's work allows (it recomputes that end user's state).
 */
async function perUser(run: StepRun, step: StepName, work: (user: string) => Promise<Counts>): Promise<Counts> {
  const { ctx } = run;
  const users = await endUsersOf(ctx.db, { accountId: ctx.account.id, endUserId: run.plan.endUserId, agentId: agentScopeOf(ctx.caller) });
  const totals: Counts = { ...run.resume?.totals, end_users: users.length };
  for (let index = Math.min(run.resume?.done ?? 0, users.length); index < users.length; index++) {
    for (const [key, value] of Object.entries(await work(users[index]!))) totals[key] = (totals[key] ?? 0) + value;
    await reportProgress(ctx.db, run.lease, {
      progress: { step, end_users_done: index + 1, end_users_total: users.length },
      checkpoint: { step, end_users_done: index + 1, completed: run.completed, step_counts: totals },
    });
  }
  return totals;
}

const STEPS: Record<StepName, (run: StepRun) => Promise<StepCounts>> = {
  'importance-recalculation': async ({ ctx, plan }) => ({ memories_updated: await recalculateImportance(ctx, plan.endUserId) }),
  'link-optimization': (run) => perUser(run, 'link-optimization', async (user) => ({ links: await rebuildLinks(run.ctx, user) })),
  summarization: (run) =>
    perUser(run, 'summarization', async (user) => {
      const result = await summarizeEndUser(run.ctx, user);
      return { clusters: result.clusters, summaries_created: result.created, summaries_unchanged: result.unchanged, summaries_removed: result.removed };
    }),
  pruning: async (run) => {
    const prune = run.plan.prune!;
    // One end user at a time (its criteria are per end user: max_memories counts within one), so a resumed run can skip
    // the end users done.
    const totals = await perUser(run, 'pruning', async (user) => {
      const result = await pruneMemories({ ctx: run.ctx, input: { ...prune, external_user_id: user } });
      return { pruned: result.pruned_count, ...result.by_reason };
    });
    return { ...totals, dry_run: prune.dry_run, archive_only: prune.archive_only };
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

const stepsOf = (plan: JobPlan) => (plan.jobType === 'all' ? ALL_ORDER : [plan.jobType]).filter((step) => step !== 'pruning' || plan.prune);

/**
 * Runs a job's steps under its run's lease: the steps its checkpoint records as done are skipped, the step in hand goes
 * on from its end users done. Progress reports and a timer (every HEARTBEAT_MS) renew the lease; when another process
 * has taken the run over (this one's heartbeat went stale), the job stops and leaves the run to it.
 */
export async function executeRun(ctx: Ctx, lease: RunLease, plan: JobPlan, checkpoint: RunCheckpoint = {}) {
  const completed: Record<string, StepCounts> = { ...checkpoint.completed };
  const beat = setInterval(() => {
    heartbeat(ctx.db, lease).catch((error: unknown) => log.warn('maintenance heartbeat failed', { runId: lease.runId, ...describeError(error) }));
  }, HEARTBEAT_MS);
  beat.unref();
  try {
    for (const step of stepsOf(plan)) {
      if (completed[step]) continue;
      const resume = checkpoint.step === step ? { done: checkpoint.end_users_done ?? 0, totals: checkpoint.step_counts ?? {} } : undefined;
      const counts = await STEPS[step]({ ctx, lease, plan, completed: { ...completed }, resume });
      completed[step] = counts;
      // A step without end users (importance: one statement) leaves the progress shown as it was.
      const users = typeof counts.end_users === 'number' ? { step, end_users_done: counts.end_users, end_users_total: counts.end_users } : undefined;
      await reportProgress(ctx.db, lease, { progress: users, checkpoint: { completed } });
    }
    const counts = plan.jobType === 'all' ? completed : (completed[plan.jobType] ?? {});
    return { status: 'success' as const, run: await finishRun(ctx.db, lease, { status: 'succeeded', counts, now: ctx.now() }) };
  } catch (error) {
    try {
      if (error instanceof LeaseLostError) throw error;
      log.error('maintenance job failed', { runId: lease.runId, attempt: lease.attempt, requestId: ctx.requestId, jobType: plan.jobType, ...describeError(error) });
      const run = await finishRun(ctx.db, lease, { status: 'failed', counts: completed, error: runErrorMessage(error, ctx.requestId), now: ctx.now() });
      return { status: 'error' as const, run };
    } catch (lost) {
      if (!(lost instanceof LeaseLostError)) throw lost;
      log.warn('maintenance run taken over by another process; this one stops', { runId: lease.runId, attempt: lease.attempt });
      return { status: 'running' as const, run: await runView(ctx.db, lease.runId) };
    }
  } finally {
    clearInterval(beat);
  }
}

/**
 * Runs one maintenance job (or all, in order) for the caller's account only (and, for an agent-scoped key, its
 * agent's memories only: each step reads the scope from ctx), recording the run with the agent in its params: start,
 * end, counts, progress and errors. Work is committed per end user, so a run that stops half-way leaves every end
 * user either done or untouched, and a run whose process stopped is resumed from its checkpoint (resume.ts). With
 * `waitMs` (a request), a job still going after that long is answered as `running` and goes on after the response
 * (continueAfterResponse); its run records the outcome. Without it (cron, scripts), the job is awaited.
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
  const plan: JobPlan = {
    jobType: input.jobType,
    endUserId: input.endUserId,
    ...(pruning ? { prune: { ...PRUNE_DEFAULTS, ...(input.prune || {}), external_user_id: input.endUserId } } : {}),
  };
  // Everything a resumed run needs to do the same job: its end user, its agent scope and its prune criteria.
  const params = {
    external_user_id: input.endUserId ?? null,
    agent_id: agentScopeOf(ctx.caller) ?? null,
    ...(plan.prune ? { prune: plan.prune } : {}),
  };
  const runId = await startRun(ctx.db, { accountId: ctx.account.id, jobType: input.jobType, trigger: input.trigger, params, now: ctx.now() });
  const job = executeRun(ctx, { runId, attempt: 1 }, plan);
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

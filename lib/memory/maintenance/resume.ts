import { randomUUID } from 'node:crypto';
import { continueAfterResponse } from '@/lib/core/after-response';
import { createContext, type Caller } from '@/lib/core/context';
import { queryOne } from '@/lib/db';
import { createOfflineLlm } from '@/lib/llm/offline';
import { describeError, log } from '@/lib/log';
import type { Services } from '@/lib/services';
import { executeRun, type JobPlan, type RunCheckpoint } from './jobs';
import type { PruneOptions } from './prune';
import { claimRun, ERASED_END_USER, giveUpRun, interruptRun, STALE_AFTER_SECONDS, staleRuns, type JobType, type RunLease, type RunRow } from './runs';

const JOB_TYPES: readonly JobType[] = ['pruning', 'summarization', 'link-optimization', 'importance-recalculation', 'all'];
/** Stale runs one sweep looks at; the next sweep takes the rest. */
const SWEEP_LIMIT = 20;

interface RunParams {
  external_user_id?: string | null;
  agent_id?: string | null;
  prune?: PruneOptions;
}

export interface ResumeResult {
  run_id: string;
  account_id: string;
  attempt: number;
  status: string;
}

/** The job a run's params describe, or why it cannot be resumed. */
function planOf(row: RunRow): JobPlan | { refused: string } {
  const params = row.params as RunParams;
  if (!JOB_TYPES.includes(row.job_type as JobType)) return { refused: `Unknown job type ${row.job_type}; the run was not resumed.` };
  if (params.external_user_id === ERASED_END_USER || params.prune?.external_user_id === ERASED_END_USER) {
    return { refused: 'The end user of this run was erased while it ran; it was not resumed.' };
  }
  return { jobType: row.job_type as JobType, endUserId: params.external_user_id ?? undefined, ...(params.prune ? { prune: params.prune } : {}) };
}

/**
 * Resumes a claimed run as the request that started it: the same account, and an agent-scoped run with that agent's
 * scope only (every step reads the scope from ctx.caller). A scheduled run keeps its account's LLM opt-in.
 */
async function resumeRun(services: Services, row: RunRow, resumer: 'cron' | 'script'): Promise<ResumeResult> {
  const lease: RunLease = { runId: row.id, attempt: row.attempts };
  const result = (status: string) => ({ run_id: row.id, account_id: row.account_id, attempt: row.attempts, status });
  const plan = planOf(row);
  if ('refused' in plan) {
    await interruptRun(services.db, lease, plan.refused);
    return result('interrupted');
  }
  const account = await queryOne<{ id: string; plan: string; scheduled_llm_summaries: boolean }>(
    services.db,
    'select id, plan, scheduled_llm_summaries from accounts where id = $1',
    [row.account_id],
  );
  if (!account) return result('gone');
  const agentId = (row.params as RunParams).agent_id;
  // The key that started it may be gone; its scope, recorded on the run, is what the job may touch.
  const caller: Caller = agentId ? { type: 'apiKey', keyId: `maintenance-run:${row.id}`, scopes: [`agent:${agentId}`] } : { type: 'system', name: resumer };
  const scheduled = row.trigger === 'cron' || row.trigger === 'script';
  const llm = scheduled && !account.scheduled_llm_summaries ? createOfflineLlm() : services.llm;
  const ctx = createContext({ ...services, llm }, { account: { id: account.id, plan: account.plan }, caller, requestId: randomUUID() });
  log.info('resuming maintenance run', { runId: row.id, attempt: row.attempts, requestId: ctx.requestId, checkpoint: row.checkpoint });
  const outcome = await executeRun(ctx, lease, plan, row.checkpoint as RunCheckpoint);
  return result(outcome.run.status);
}

/**
 * Takes over the runs whose process stopped (heartbeat older than STALE_AFTER_SECONDS), one at a time: each is claimed
 * atomically just before it is resumed, so two sweeps (two instances, or a cron tick and a process start) never run the
 * same run; a run out of attempts is closed as interrupted. Awaits the resumed jobs.
 */
export async function resumeStaleRuns(services: Services, resumer: 'cron' | 'script'): Promise<ResumeResult[]> {
  const results: ResumeResult[] = [];
  for (const runId of await staleRuns(services.db, SWEEP_LIMIT)) {
    const given = await giveUpRun(services.db, runId);
    if (given) {
      log.warn('maintenance run given up', { runId, attempts: given.attempts });
      results.push({ run_id: given.id, account_id: given.account_id, attempt: given.attempts, status: given.status });
      continue;
    }
    const claimed = await claimRun(services.db, runId);
    if (claimed) results.push(await resumeRun(services, claimed, resumer));
  }
  return results;
}

/**
 * At process start: resume runs whose process stopped, shortly after start and again once the stale limit has passed
 * (a run the previous process held turns stale only then). Each sweep is tracked, so a graceful shutdown waits for it.
 */
export function resumeAfterStart(loadServices: () => Promise<Services>): void {
  const sweep = () =>
    continueAfterResponse(
      (async () => {
        const resumed = await resumeStaleRuns(await loadServices(), 'cron');
        if (resumed.length > 0) log.info('maintenance runs resumed at start', { resumed });
      })().catch((error: unknown) => log.warn('resuming maintenance runs at start failed', describeError(error))),
    );
  for (const delayMs of [5_000, (STALE_AFTER_SECONDS + 15) * 1_000]) setTimeout(sweep, delayMs).unref();
}

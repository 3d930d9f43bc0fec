import { agentScopeOf } from '@/lib/core/access';
import type { Ctx } from '@/lib/core/context';
import type { Db } from '@/lib/db';
import { queryOne } from '@/lib/db';

export type JobType = 'pruning' | 'summarization' | 'link-optimization' | 'importance-recalculation' | 'all';
export type RunTrigger = 'api' | 'cron' | 'dashboard' | 'script';

/** A running job writes its heartbeat at least this often (and with every progress report). */
export const HEARTBEAT_MS = 30_000;
/** A run whose heartbeat is older than this has lost its process; the next cron tick or process start takes it over. */
export const STALE_AFTER_SECONDS = 120;
/** Starts a run gets, the first one included; a run still dying after that many is given up as interrupted. */
export const MAX_ATTEMPTS = 3;

export interface RunRow {
  id: string;
  account_id: string;
  job_type: string;
  trigger: string;
  status: string;
  params: Record<string, unknown>;
  progress: Record<string, unknown>;
  checkpoint: Record<string, unknown>;
  counts: Record<string, unknown>;
  error: string | null;
  attempts: number;
  started_at: Date;
  finished_at: Date | null;
}

export function toRunView(row: RunRow) {
  const started = new Date(row.started_at);
  const finished = row.finished_at ? new Date(row.finished_at) : null;
  return {
    id: row.id,
    job_type: row.job_type,
    trigger: row.trigger,
    status: row.status,
    params: row.params,
    progress: row.progress,
    counts: row.counts,
    error: row.error,
    attempts: row.attempts,
    started_at: started.toISOString(),
    finished_at: finished?.toISOString() ?? null,
    duration_ms: finished ? finished.getTime() - started.getTime() : null,
  };
}

export async function startRun(db: Db, input: { accountId: string; jobType: JobType; trigger: RunTrigger; params: Record<string, unknown>; now: Date }): Promise<string> {
  // Fallback for a deployment where nothing resumes runs (no cron tick, no restart): a run whose heartbeat stopped an
  // hour ago died with its process; say so instead of leaving it open forever.
  await db.query(
    `update maintenance_runs set status = 'interrupted', finished_at = now(), error = coalesce(error, 'The process running this job stopped before it finished.')
     where account_id = $1 and status = 'running' and heartbeat_at < now() - interval '1 hour'`,
    [input.accountId],
  );
  const row = await queryOne<{ id: string }>(
    db,
    'insert into maintenance_runs (account_id, job_type, trigger, params, started_at) values ($1, $2, $3, $4::jsonb, $5) returning id',
    [input.accountId, input.jobType, input.trigger, JSON.stringify(input.params), input.now],
  );
  return row!.id;
}

/** Which start of a run a process holds: its writes count only while the run is still running on that attempt. */
export interface RunLease {
  runId: string;
  attempt: number;
}

/** Thrown into a job whose run another process has taken over (its heartbeat went stale): it must stop writing. */
export class LeaseLostError extends Error {
  constructor(lease: RunLease) {
    super(`maintenance run ${lease.runId} was taken over after attempt ${lease.attempt}`);
  }
}

/**
 * Records progress (what the account is shown; kept when not given) and the checkpoint a resumed run goes on from, and
 * renews the lease, in one statement.
 */
export async function reportProgress(db: Db, lease: RunLease, report: { progress?: Record<string, unknown>; checkpoint: Record<string, unknown> }): Promise<void> {
  const rows = await db.query(
    `update maintenance_runs set progress = coalesce($3::jsonb, progress), checkpoint = $4::jsonb, heartbeat_at = now()
     where id = $1 and attempts = $2 and status = 'running' returning id`,
    [lease.runId, lease.attempt, report.progress ? JSON.stringify(report.progress) : null, JSON.stringify(report.checkpoint)],
  );
  if (rows.length === 0) throw new LeaseLostError(lease);
}

/** Renews the lease between progress reports; false when the run is no longer this attempt's. */
export async function heartbeat(db: Db, lease: RunLease): Promise<boolean> {
  const rows = await db.query("update maintenance_runs set heartbeat_at = now() where id = $1 and attempts = $2 and status = 'running' returning id", [
    lease.runId,
    lease.attempt,
  ]);
  return rows.length > 0;
}

export async function finishRun(db: Db, lease: RunLease, outcome: { status: 'succeeded' | 'failed'; counts: Record<string, unknown>; error?: string; now: Date }) {
  const row = await queryOne<RunRow>(
    db,
    `update maintenance_runs set status = $3, counts = $4::jsonb, error = $5, finished_at = $6, heartbeat_at = now()
     where id = $1 and attempts = $2 and status = 'running' returning *`,
    [lease.runId, lease.attempt, outcome.status, JSON.stringify(outcome.counts), outcome.error ?? null, outcome.now],
  );
  if (!row) throw new LeaseLostError(lease);
  return toRunView(row);
}

/** Running runs whose heartbeat is stale, oldest first: candidates for claimRun (or, out of attempts, for giving up). */
export async function staleRuns(db: Db, limit: number): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `select id from maintenance_runs where status = 'running' and heartbeat_at < now() - $1::int * interval '1 second'
     order by heartbeat_at limit $2`,
    [STALE_AFTER_SECONDS, limit],
  );
  return rows.map((row) => row.id);
}

/**
 * Takes over a run whose process stopped: one statement, so of any number of processes or instances claiming it at
 * once exactly one gets the row (its new attempt is the lease); the others get undefined.
 */
export async function claimRun(db: Db, runId: string): Promise<RunRow | undefined> {
  return queryOne<RunRow>(
    db,
    `update maintenance_runs set attempts = attempts + 1, heartbeat_at = now()
     where id = $1 and status = 'running' and heartbeat_at < now() - $2::int * interval '1 second' and attempts < $3
     returning *`,
    [runId, STALE_AFTER_SECONDS, MAX_ATTEMPTS],
  );
}

/** A stale run that has had its MAX_ATTEMPTS starts is given up, with the reason on the run. */
export async function giveUpRun(db: Db, runId: string): Promise<RunRow | undefined> {
  return queryOne<RunRow>(
    db,
    `update maintenance_runs set status = 'interrupted', finished_at = now(),
       error = 'The job stopped with its process ' || attempts || ' times; it was given up. Start it again to finish it.'
     where id = $1 and status = 'running' and heartbeat_at < now() - $2::int * interval '1 second' and attempts >= $3
     returning *`,
    [runId, STALE_AFTER_SECONDS, MAX_ATTEMPTS],
  );
}

/** A run that cannot be resumed (its end user erased, an unknown job) is closed as interrupted with the reason. */
export async function interruptRun(db: Db, lease: RunLease, error: string): Promise<void> {
  await db.query("update maintenance_runs set status = 'interrupted', finished_at = now(), error = $3 where id = $1 and attempts = $2 and status = 'running'", [
    lease.runId,
    lease.attempt,
    error,
  ]);
}

/** One run as it stands now. */
export async function runView(db: Db, runId: string) {
  const row = await queryOne<RunRow>(db, 'select * from maintenance_runs where id = $1', [runId]);
  return toRunView(row!);
}

/** The account's runs, newest first; with an agent, only the runs made by keys of that agent (params.agent_id). */
export async function listRuns(db: Db, input: { accountId: string; agentId?: string | null; limit: number; offset: number }) {
  const where = "account_id = $1 and ($2::text is null or params->>'agent_id' = $2)";
  const [rows, [count]] = await Promise.all([
    db.query<RunRow>(`select * from maintenance_runs where ${where} order by started_at desc, id desc limit $3 offset $4`, [
      input.accountId,
      input.agentId ?? null,
      input.limit,
      input.offset,
    ]),
    db.query<{ total: number }>(`select count(*)::int as total from maintenance_runs where ${where}`, [input.accountId, input.agentId ?? null]),
  ]);
  return { runs: rows.map(toRunView), total_count: count?.total ?? 0, limit: input.limit, offset: input.offset };
}

/** GET /v1/memory/maintenance/runs: an agent-scoped key sees only the runs made with its agent's scope. */
export function listMaintenanceRuns({ ctx, input }: { ctx: Ctx; input: { limit: number; offset: number } }) {
  return listRuns(ctx.db, { accountId: ctx.account.id, agentId: agentScopeOf(ctx.caller), ...input });
}

/** The end users of an account (or the one asked for) that have memories (of the agent, if given), in a stable order. */
export async function endUsersOf(db: Db, scope: { accountId: string; endUserId?: string; agentId?: string | null }): Promise<string[]> {
  const rows = await db.query<{ end_user_id: string }>(
    `select distinct end_user_id from memories where account_id = $1 and ($2::text is null or end_user_id = $2) and ($3::text is null or agent_id = $3)
     order by end_user_id`,
    [scope.accountId, scope.endUserId ?? null, scope.agentId ?? null],
  );
  return rows.map((row) => row.end_user_id);
}

/** What forgetEndUserInRuns leaves in a run's params in place of an erased end user's id (resume.ts refuses such runs). */
export const ERASED_END_USER = '(erased)';

/** Erasing an end user: runs made for that end user keep their counts, not the id (params and prune criteria). */
export async function forgetEndUserInRuns(db: Db, scope: { accountId: string; externalUserId: string }): Promise<number> {
  const rows = await db.query(
    `update maintenance_runs
     set params = case when params ? 'prune' and jsonb_typeof(params->'prune') = 'object' and params->'prune' ? 'external_user_id'
                       then jsonb_set(params, '{prune,external_user_id}', to_jsonb($3::text))
                       else params end
                  || case when params ? 'external_user_id' then jsonb_build_object('external_user_id', $3::text) else '{}'::jsonb end
     where account_id = $1 and (params->>'external_user_id' = $2 or params->'prune'->>'external_user_id' = $2)
     returning id`,
    [scope.accountId, scope.externalUserId, ERASED_END_USER],
  );
  return rows.length;
}

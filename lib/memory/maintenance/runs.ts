import { agentScopeOf } from '@/lib/core/access';
import type { Ctx } from '@/lib/core/context';
import type { Db } from '@/lib/db';
import { queryOne } from '@/lib/db';

export type JobType = 'pruning' | 'summarization' | 'link-optimization' | 'importance-recalculation' | 'all';
export type RunTrigger = 'api' | 'cron' | 'dashboard' | 'script';

interface RunRow {
  id: string;
  job_type: string;
  trigger: string;
  status: string;
  params: Record<string, unknown>;
  progress: Record<string, unknown>;
  counts: Record<string, unknown>;
  error: string | null;
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
    started_at: started.toISOString(),
    finished_at: finished?.toISOString() ?? null,
    duration_ms: finished ? finished.getTime() - started.getTime() : null,
  };
}

export async function startRun(db: Db, input: { accountId: string; jobType: JobType; trigger: RunTrigger; params: Record<string, unknown>; now: Date }): Promise<string> {
  // A run still "running" an hour later died with its process; say so instead of leaving it open forever.
  await db.query(
    `update maintenance_runs set status = 'interrupted', finished_at = $2, error = coalesce(error, 'The process running this job stopped before it finished.')
     where account_id = $1 and status = 'running' and started_at < $2::timestamptz - interval '1 hour'`,
    [input.accountId, input.now],
  );
  const row = await queryOne<{ id: string }>(
    db,
    'insert into maintenance_runs (account_id, job_type, trigger, params, started_at) values ($1, $2, $3, $4::jsonb, $5) returning id',
    [input.accountId, input.jobType, input.trigger, JSON.stringify(input.params), input.now],
  );
  return row!.id;
}

export async function reportProgress(db: Db, runId: string, progress: Record<string, unknown>): Promise<void> {
  await db.query('update maintenance_runs set progress = $2::jsonb where id = $1', [runId, JSON.stringify(progress)]);
}

export async function finishRun(db: Db, runId: string, outcome: { status: 'succeeded' | 'failed'; counts: Record<string, unknown>; error?: string; now: Date }) {
  const row = await queryOne<RunRow>(
    db,
    `update maintenance_runs set status = $2, counts = $3::jsonb, error = $4, finished_at = $5 where id = $1 returning *`,
    [runId, outcome.status, JSON.stringify(outcome.counts), outcome.error ?? null, outcome.now],
  );
  return toRunView(row!);
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

/** Erasing an end user: runs made for that end user keep their counts, not the id (params and prune criteria). */
export async function forgetEndUserInRuns(db: Db, scope: { accountId: string; externalUserId: string }): Promise<number> {
  const rows = await db.query(
    `update maintenance_runs
     set params = case when params ? 'prune' and jsonb_typeof(params->'prune') = 'object' and params->'prune' ? 'external_user_id'
                       then jsonb_set(params, '{prune,external_user_id}', '"(erased)"')
                       else params end
                  || case when params ? 'external_user_id' then '{"external_user_id": "(erased)"}'::jsonb else '{}'::jsonb end
     where account_id = $1 and (params->>'external_user_id' = $2 or params->'prune'->>'external_user_id' = $2)
     returning id`,
    [scope.accountId, scope.externalUserId],
  );
  return rows.length;
}

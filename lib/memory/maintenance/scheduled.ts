import { randomUUID } from 'node:crypto';
import type { Ctx } from '@/lib/api/context';
import type { Services } from '@/lib/services';
import { runMaintenance } from './jobs';

/** Runs every maintenance job for each account that has memories, each account on its own (its own run record). */
export async function runScheduledMaintenance(services: Services, trigger: 'cron' | 'script') {
  const accounts = await services.db.query<{ id: string; plan: string }>(
    'select a.id, a.plan from accounts a where exists (select 1 from memories m where m.account_id = a.id) order by a.id',
  );
  const results = [];
  for (const account of accounts) {
    const ctx: Ctx = { ...services, account, caller: { type: 'system', name: trigger }, requestId: randomUUID() };
    const result = await runMaintenance({ ctx, input: { jobType: 'all', trigger } });
    results.push({ account_id: account.id, status: result.run.status, run_id: result.run.id });
  }
  // The request log feeds the dashboard's charts (30 days); older rows are dropped.
  const logRows = await services.db.query("delete from request_log where created_at < $1::timestamptz - interval '90 days' returning id", [services.now()]);
  return { accounts: results.length, request_log_rows_dropped: logRows.length, failed: results.filter((r) => r.status !== 'succeeded').length, results };
}

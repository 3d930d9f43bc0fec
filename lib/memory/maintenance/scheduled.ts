import { randomUUID } from 'node:crypto';
import { createContext } from '@/lib/core/context';
import { purgeRequestLog } from '@/lib/metering/request-log';
import type { Services } from '@/lib/services';
import { runMaintenance } from './jobs';

/** Runs every maintenance job for each account that has memories, each account on its own (its own run record). */
export async function runScheduledMaintenance(services: Services, trigger: 'cron' | 'script') {
  const accounts = await services.db.query<{ id: string; plan: string }>(
    'select a.id, a.plan from accounts a where exists (select 1 from memories m where m.account_id = a.id) order by a.id',
  );
  const results = [];
  for (const account of accounts) {
    const ctx = createContext(services, { account, caller: { type: 'system', name: trigger }, requestId: randomUUID() });
    const result = await runMaintenance({ ctx, input: { jobType: 'all', trigger } });
    results.push({ account_id: account.id, status: result.run.status, run_id: result.run.id });
  }
  const logRowsDropped = await purgeRequestLog(services.db, services.now());
  return { accounts: results.length, request_log_rows_dropped: logRowsDropped, failed: results.filter((r) => r.status !== 'succeeded').length, results };
}

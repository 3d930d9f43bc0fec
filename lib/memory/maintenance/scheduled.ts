import { randomUUID } from 'node:crypto';
import { createContext } from '@/lib/core/context';
import { purgeRequestLog } from '@/lib/metering/request-log';
import type { Services } from '@/lib/services';
import { runMaintenance } from './jobs';

/**
 * Runs the maintenance jobs for each account that has memories, each account on its own (its own run record).
 * Pruning archives customers' data, so it runs only for accounts that opted in (accounts.scheduled_pruning), and counts
 * staleness from when a memory was stored here, not from a backdated created_at. Summaries are not charged to the
 * plan's memory limit (the count trigger leaves them out).
 */
export async function runScheduledMaintenance(services: Services, trigger: 'cron' | 'script') {
  const accounts = await services.db.query<{ id: string; plan: string; scheduled_pruning: boolean }>(
    'select a.id, a.plan, a.scheduled_pruning from accounts a where exists (select 1 from memories m where m.account_id = a.id) order by a.id',
  );
  const results = [];
  for (const { scheduled_pruning: pruning, ...account } of accounts) {
    const ctx = createContext(services, { account, caller: { type: 'system', name: trigger }, requestId: randomUUID() });
    const result = await runMaintenance({ ctx, input: { jobType: 'all', trigger, prune: pruning ? { age_from: 'stored' } : false } });
    results.push({ account_id: account.id, status: result.run.status, run_id: result.run.id });
  }
  const logRowsDropped = await purgeRequestLog(services.db, services.now());
  return { accounts: results.length, request_log_rows_dropped: logRowsDropped, failed: results.filter((r) => r.status !== 'succeeded').length, results };
}

import { randomUUID } from 'node:crypto';
import { createContext } from '@/lib/core/context';
import { createOfflineLlm } from '@/lib/llm/offline';
import { purgeRequestLog } from '@/lib/metering/request-log';
import type { Services } from '@/lib/services';
import { runMaintenance } from './jobs';
import { resumeStaleRuns } from './resume';

/**
 * Runs the maintenance jobs for each account that has memories, each account on its own (its own run record).
 * Pruning archives customers' data, so it runs only for accounts that opted in (accounts.scheduled_pruning), and counts
 * staleness from when a memory was stored here, not from a backdated created_at. Summaries are not charged to the
 * plan's memory limit (the count trigger leaves them out), and are written with the configured LLM (the account's LLM
 * tokens) only for accounts that opted in (accounts.scheduled_llm_summaries); the others get extractive summaries.
 * First, each tick takes over the runs whose process stopped (any trigger) and finishes them.
 */
export async function runScheduledMaintenance(services: Services, trigger: 'cron' | 'script') {
  const resumed = await resumeStaleRuns(services, trigger);
  const accounts = await services.db.query<{ id: string; plan: string; scheduled_pruning: boolean; scheduled_llm_summaries: boolean }>(
    'select a.id, a.plan, a.scheduled_pruning, a.scheduled_llm_summaries from accounts a where exists (select 1 from memories m where m.account_id = a.id) order by a.id',
  );
  const offline = createOfflineLlm();
  const results = [];
  for (const { scheduled_pruning: pruning, scheduled_llm_summaries: llmSummaries, ...account } of accounts) {
    // The account did not ask for this run: no model call on its tokens unless it opted in.
    const ctx = createContext(llmSummaries ? services : { ...services, llm: offline }, { account, caller: { type: 'system', name: trigger }, requestId: randomUUID() });
    const result = await runMaintenance({ ctx, input: { jobType: 'all', trigger, prune: pruning ? { age_from: 'stored' } : false } });
    results.push({ account_id: account.id, status: result.run.status, run_id: result.run.id });
  }
  const logRowsDropped = await purgeRequestLog(services.db, services.now());
  return { accounts: results.length, request_log_rows_dropped: logRowsDropped, failed: results.filter((r) => r.status !== 'succeeded').length, results, resumed };
}

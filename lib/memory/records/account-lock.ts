import type { Db } from '@/lib/db';

/**
 * Locks the account's row until the transaction ends. Every write transaction that changes memories or chat messages
 * takes it first: the triggers that keep accounts.memory_count and accounts.storage_bytes (migrations 0018, 0020,
 * 0023) update that row on each such change, and the quota checks lock it, so a transaction that changed a memory row
 * before reaching the account row could deadlock on Postgres with one that holds the account row and then changes
 * memories (ingest, chat). One lock order: account first.
 */
export async function lockAccount(tx: Db, accountId: string): Promise<void> {
  await tx.query('select id from accounts where id = $1 for update', [accountId]);
}

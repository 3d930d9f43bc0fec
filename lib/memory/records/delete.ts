import type { Db } from '@/lib/db';
import { removeOrphanEntities } from './graph';

/**
 * Deletes one memory of an account (optionally only if it belongs to `endUserId` / `agentId`) with everything derived from
 * it: entity links, edges and similarity links (foreign keys cascade), summaries built on it (the next
 * summarization run rebuilds the cluster), and entities left orphaned. Returns false when not found.
 */
export async function deleteMemoryCascade(
  db: Db,
  input: { accountId: string; memoryId: string; endUserId?: string | null; agentId?: string | null },
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const summaries = await tx.query<{ summary_id: string }>('select summary_id from summary_sources where source_id = $1', [input.memoryId]);
    const rows = await tx.query<{ end_user_id: string }>(
      `delete from memories where id = $1 and account_id = $2 and ($3::text is null or end_user_id = $3)
         and ($4::text is null or agent_id = $4) returning end_user_id`,
      [input.memoryId, input.accountId, input.endUserId ?? null, input.agentId ?? null],
    );
    if (rows.length === 0) return false;
    if (summaries.length > 0) {
      await tx.query('delete from memories where account_id = $1 and id = any($2::uuid[])', [input.accountId, summaries.map((s) => s.summary_id)]);
    }
    await removeOrphanEntities(tx, { accountId: input.accountId, endUserId: rows[0]!.end_user_id });
    return true;
  });
}

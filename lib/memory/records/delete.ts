import type { Db } from '@/lib/db';
import { removeOrphanEntities } from './graph';

interface DeletionScope {
  accountId: string;
  /** An agent-scoped caller: older versions that belong to another agent are archived instead of deleted. */
  agentId?: string | null;
  now: Date;
}

/**
 * Deletes memories of one account together with their history, in the caller's transaction:
 * - the older versions each one replaced (its supersession chain): deleting the current fact must not make an
 *   outdated one current again (the foreign key would set their superseded_by to null). Versions of another agent
 *   than an agent-scoped caller's are archived instead (kept, never active again, restorable by their agent);
 * - the chat turns the deleted text came from (`source_message_ids`, and a chat memory's user turn with the reply
 *   to it), so chat history never replays it to the model;
 * - summaries built on them (the next summarization run rebuilds the cluster), entity links, edges and similarity
 *   links (foreign keys cascade), and entities left orphaned.
 * Returns the ids deleted and their end users.
 */
export async function deleteMemoriesWithHistory(tx: Db, scope: DeletionScope, ids: string[]): Promise<{ deleted: string[]; endUserIds: string[] }> {
  if (ids.length === 0) return { deleted: [], endUserIds: [] };
  const chain = await tx.query<{ id: string; own: boolean }>(
    `with recursive older(id) as (
       select id from memories where account_id = $1 and id = any($2::uuid[])
       union select m.id from memories m join older o on m.superseded_by = o.id where m.account_id = $1
     )
     select m.id, ($3::text is null or m.agent_id = $3 or m.id = any($2::uuid[])) as own
     from memories m where m.account_id = $1 and m.id in (select id from older)`,
    [scope.accountId, ids, scope.agentId ?? null],
  );
  const own = chain.filter((row) => row.own).map((row) => row.id);
  const others = chain.filter((row) => !row.own).map((row) => row.id);
  if (others.length > 0) {
    await tx.query('update memories set archived_at = coalesce(archived_at, $3), updated_at = $3 where account_id = $1 and id = any($2::uuid[])', [scope.accountId, others, scope.now]);
  }
  await tx.query(
    `with gone as (
       select m.end_user_id, m.conversation_id, m.content, m.source, m.source_message_ids from memories m
       where m.account_id = $1 and m.id = any($2::uuid[])
     ), turns as (
       select c.id, c.end_user_id, c.conversation_id, c.created_at from chat_messages c
       where c.account_id = $1 and (
         c.id::text in (select unnest(source_message_ids) from gone)
         or exists (select 1 from gone g where g.source = 'chat' and c.role = 'user' and c.end_user_id = g.end_user_id
                    and c.conversation_id = g.conversation_id and c.content = g.content)
       )
     )
     delete from chat_messages c using turns t
     where c.account_id = $1 and (c.id = t.id
       or (c.role = 'assistant' and c.end_user_id = t.end_user_id and c.conversation_id = t.conversation_id
           and c.created_at = t.created_at + interval '1 millisecond'))`,
    [scope.accountId, own],
  );
  const summaries = await tx.query<{ summary_id: string }>('select distinct summary_id from summary_sources where source_id = any($1::uuid[])', [own]);
  const deleted = await tx.query<{ id: string; end_user_id: string }>('delete from memories where account_id = $1 and id = any($2::uuid[]) returning id, end_user_id', [
    scope.accountId,
    [...own, ...summaries.map((s) => s.summary_id)],
  ]);
  const endUserIds = [...new Set(deleted.map((row) => row.end_user_id))];
  for (const endUserId of endUserIds) await removeOrphanEntities(tx, { accountId: scope.accountId, endUserId });
  return { deleted: deleted.map((row) => row.id), endUserIds };
}

/**
 * Deletes one memory of an account (optionally only if it belongs to `endUserId` / `agentId`) with its history and
 * everything derived from it (deleteMemoriesWithHistory). Returns false when not found.
 */
export async function deleteMemoryCascade(
  db: Db,
  input: { accountId: string; memoryId: string; endUserId?: string | null; agentId?: string | null; now?: Date },
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const rows = await tx.query<{ id: string }>(
      `select id from memories where id = $1 and account_id = $2 and ($3::text is null or end_user_id = $3)
         and ($4::text is null or agent_id = $4) for update`,
      [input.memoryId, input.accountId, input.endUserId ?? null, input.agentId ?? null],
    );
    if (rows.length === 0) return false;
    await deleteMemoriesWithHistory(tx, { accountId: input.accountId, agentId: input.agentId, now: input.now ?? new Date() }, [input.memoryId]);
    return true;
  });
}

import type { Db } from '@/lib/db';
import { lockAccount } from './account-lock';
import { removeOrphanEntities } from './graph';

/** Text that was said in a conversation of an end user: a deleted memory's content or a deleted chat turn. */
interface SaidText {
  end_user_id: string;
  conversation_id: string | null;
  content: string;
}

interface DeletionScope {
  accountId: string;
  /** An agent-scoped caller: older versions that belong to another agent are archived instead of deleted. */
  agentId?: string | null;
  now: Date;
}

const linesOf = (text: string) => text.split('\n').map((line) => line.trim()).filter(Boolean);

/**
 * A memory's context holds the turns around the message it came from (ingest), or the memories said before and after
 * it in its session (POST /v1/memory), joined line by line. Deleted text must not stay there: in the other memories of
 * the same end user and conversation (of an agent-scoped caller's agent), every context line equal to a line of a
 * deleted memory or turn is removed, and so is a last line that is the start of one (a context cut at its length
 * limit); a context left empty becomes null. Those memories also lose their context vector: it was blended with the
 * embedding of the memory before them (search/context-vector.ts), which may be the deleted one, and they rank by their
 * own embedding from then on. One read of the conversations' contexts and one update: linear.
 */
async function redactFromContexts(tx: Db, scope: DeletionScope, said: SaidText[]): Promise<void> {
  const deletedLines = new Map<string, Set<string>>();
  const keyOf = (endUserId: string, conversationId: string) => JSON.stringify([endUserId, conversationId]);
  for (const text of said) {
    if (text.conversation_id === null) continue;
    const key = keyOf(text.end_user_id, text.conversation_id);
    const lines = deletedLines.get(key) ?? new Set<string>();
    for (const line of linesOf(text.content)) lines.add(line);
    deletedLines.set(key, lines);
  }
  if (deletedLines.size === 0) return;
  const conversations = [...deletedLines.keys()].map((key) => JSON.parse(key) as [string, string]);
  const rows = await tx.query<{ id: string; end_user_id: string; conversation_id: string; context: string }>(
    `select m.id, m.end_user_id, m.conversation_id, m.context from memories m
     join unnest($2::text[], $3::text[]) as t(end_user_id, conversation_id) on m.end_user_id = t.end_user_id and m.conversation_id = t.conversation_id
     where m.account_id = $1 and m.context is not null and ($4::text is null or m.agent_id = $4)`,
    [scope.accountId, conversations.map(([endUserId]) => endUserId), conversations.map(([, conversationId]) => conversationId), scope.agentId ?? null],
  );
  const changed: { id: string; context: string }[] = [];
  for (const row of rows) {
    const gone = deletedLines.get(keyOf(row.end_user_id, row.conversation_id))!;
    const lines = row.context.split('\n');
    const kept = lines.filter((line, index) => {
      const trimmed = line.trim();
      if (gone.has(trimmed)) return false;
      const cut = index === lines.length - 1 && trimmed !== '' && [...gone].some((deleted) => deleted.startsWith(trimmed));
      return !cut;
    });
    if (kept.length !== lines.length) changed.push({ id: row.id, context: kept.join('\n') });
  }
  if (changed.length === 0) return;
  await tx.query(
    `update memories m set context = nullif(u.context, ''), context_embedding = null from unnest($2::uuid[], $3::text[]) as u(id, context)
     where m.account_id = $1 and m.id = u.id`,
    [scope.accountId, changed.map((row) => row.id), changed.map((row) => row.context)],
  );
}

/**
 * Deletes memories of one account together with their history, in the caller's transaction:
 * - the older versions each one replaced (its supersession chain): deleting the current fact must not make an
 *   outdated one current again (the foreign key would set their superseded_by to null). Versions of another agent
 *   than an agent-scoped caller's are archived instead (kept, never active again, restorable by their agent);
 * - the chat turns the deleted text came from (`source_message_ids`, and a chat memory's user turn with the reply
 *   to it), so chat history never replays it to the model;
 * - their text in the context of the other memories of their conversations (redactFromContexts);
 * - summaries built on them (the next summarization run rebuilds the cluster), entity links, edges and similarity
 *   links (foreign keys cascade), and entities left orphaned.
 * Returns the ids deleted and their end users.
 */
export async function deleteMemoriesWithHistory(tx: Db, scope: DeletionScope, ids: string[]): Promise<{ deleted: string[]; endUserIds: string[] }> {
  if (ids.length === 0) return { deleted: [], endUserIds: [] };
  await lockAccount(tx, scope.accountId);
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
  const turns = await tx.query<SaidText>(
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
           and c.created_at = t.created_at + interval '1 millisecond'))
     returning c.end_user_id, c.conversation_id, c.content`,
    [scope.accountId, own],
  );
  const summaries = await tx.query<{ summary_id: string }>('select distinct summary_id from summary_sources where source_id = any($1::uuid[])', [own]);
  const deleted = await tx.query<SaidText & { id: string; source: string }>(
    'delete from memories where account_id = $1 and id = any($2::uuid[]) returning id, end_user_id, conversation_id, content, source',
    [scope.accountId, [...own, ...summaries.map((s) => s.summary_id)]],
  );
  await redactFromContexts(tx, scope, [...turns, ...deleted.filter((row) => row.source !== 'summary')]);
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
    await lockAccount(tx, input.accountId);
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

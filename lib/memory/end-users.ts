import type { Ctx } from '@/lib/api/context';
import { agentScopeOf, forbidden } from '@/lib/api/scopes';

export interface EndUserSummary {
  external_user_id: string;
  memory_count: number;
  last_memory_at: string;
}

/** The account's end users with their memory counts, most recently active first; `search` filters by id. */
export async function listEndUsers({ ctx, input }: { ctx: Ctx; input: { search?: string; limit: number; offset: number } }) {
  const pattern = input.search ? `%${input.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const [rows, [count]] = await Promise.all([
    ctx.db.query<{ end_user_id: string; memory_count: number; last_memory_at: Date }>(
      `select end_user_id, count(*)::int as memory_count, max(created_at) as last_memory_at
       from memories where account_id = $1 and ($2::text is null or end_user_id ilike $2)
       group by end_user_id order by max(created_at) desc, end_user_id limit $3 offset $4`,
      [ctx.account.id, pattern, input.limit, input.offset],
    ),
    ctx.db.query<{ total: number }>(
      'select count(distinct end_user_id)::int as total from memories where account_id = $1 and ($2::text is null or end_user_id ilike $2)',
      [ctx.account.id, pattern],
    ),
  ]);
  return {
    end_users: rows.map((row) => ({ external_user_id: row.end_user_id, memory_count: row.memory_count, last_memory_at: new Date(row.last_memory_at).toISOString() })),
    total_count: count?.total ?? 0,
    limit: input.limit,
    offset: input.offset,
  };
}

/** Deletes everything stored for one end user of the account and says how much went. */
export async function deleteEndUser({ ctx, input }: { ctx: Ctx; input: { externalUserId: string } }) {
  // An agent-scoped key may not erase what other agents know about the user.
  if (agentScopeOf(ctx.caller)) throw forbidden();
  return ctx.db.transaction(async (tx) => {
    const scope = [ctx.account.id, input.externalUserId];
    const edges = await tx.query('delete from edges where account_id = $1 and end_user_id = $2 returning id', scope);
    const memories = await tx.query('delete from memories where account_id = $1 and end_user_id = $2 returning id', scope);
    const entities = await tx.query('delete from entities where account_id = $1 and end_user_id = $2 returning id', scope);
    const messages = await tx.query('delete from chat_messages where account_id = $1 and end_user_id = $2 returning id', scope);
    return {
      status: 'success' as const,
      external_user_id: input.externalUserId,
      deleted: { memories: memories.length, entities: entities.length, edges: edges.length, chat_messages: messages.length },
    };
  });
}

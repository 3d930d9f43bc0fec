import type { Ctx } from '@/lib/core/context';

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

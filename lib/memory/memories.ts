import type { Ctx } from '@/lib/api/context';
import type { ListMemoriesInput } from '@/lib/api/schemas/memory';
import { queryOne } from '@/lib/db';
import { notFound } from '@/lib/errors';
import { MEMORY_COLUMNS, toMemoryView, type MemoryRow } from './memory-view';
import { recordAccess } from './search-memories';

const ACTIVE = 'archived_at is null and superseded_by is null';

/** Newest first, across the account or within one end user. */
export async function listMemories({ ctx, input }: { ctx: Ctx; input: ListMemoriesInput }) {
  const userFilter = input.external_user_id === undefined ? '' : 'and end_user_id = $2';
  const params = input.external_user_id === undefined ? [ctx.account.id] : [ctx.account.id, input.external_user_id];
  const n = params.length;
  const [rows, [count]] = await Promise.all([
    ctx.db.query<MemoryRow>(
      `select ${MEMORY_COLUMNS} from memories where account_id = $1 ${userFilter} and ${ACTIVE}
       order by created_at desc, id desc limit $${n + 1} offset $${n + 2}`,
      [...params, input.limit, input.offset],
    ),
    ctx.db.query<{ total: number }>(`select count(*)::int as total from memories where account_id = $1 ${userFilter} and ${ACTIVE}`, params),
  ]);
  const total = count?.total ?? 0;
  return {
    memories: rows.map(toMemoryView),
    total_count: total,
    limit: input.limit,
    offset: input.offset,
    has_more: input.offset + rows.length < total,
  };
}

/** One memory of the caller's account (another account's id is simply not found). */
export async function getMemory({ ctx, input }: { ctx: Ctx; input: { memoryId: string; externalUserId?: string } }) {
  const row = await queryOne<MemoryRow>(
    ctx.db,
    `select ${MEMORY_COLUMNS} from memories where id = $1 and account_id = $2 and ($3::text is null or end_user_id = $3)`,
    [input.memoryId, ctx.account.id, input.externalUserId ?? null],
  );
  if (!row) throw notFound();
  await recordAccess(ctx, [row.id]);
  return toMemoryView(row);
}

export async function deleteMemory({ ctx, input }: { ctx: Ctx; input: { memoryId: string; externalUserId?: string } }) {
  const rows = await ctx.db.query<{ id: string }>(
    'delete from memories where id = $1 and account_id = $2 and ($3::text is null or end_user_id = $3) returning id',
    [input.memoryId, ctx.account.id, input.externalUserId ?? null],
  );
  if (rows.length === 0) throw notFound();
  return { status: 'success' as const, id: input.memoryId, deleted: true as const };
}

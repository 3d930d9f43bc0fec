import type { Ctx } from '@/lib/api/context';
import type { ListMemoriesInput } from '@/lib/api/schemas/memory';
import { agentScopeOf } from '@/lib/api/scopes';
import { queryOne } from '@/lib/db';
import { reserveMemories } from '@/lib/billing/quotas';
import { ApiError, notFound } from '@/lib/errors';
import { MEMORY_COLUMNS, toMemoryView, type MemoryRow } from './memory-view';
import { deleteMemoryCascade } from './delete-memory';
import { recordAccess } from './search-memories';

const ACTIVE = 'archived_at is null and superseded_by is null';
const ARCHIVED = 'archived_at is not null';

/** Newest first, across the account or within one end user. */
export async function listMemories({ ctx, input }: { ctx: Ctx; input: ListMemoriesInput }) {
  const agentId = agentScopeOf(ctx.caller) ?? null;
  const userFilter = 'and ($2::text is null or end_user_id = $2) and ($3::text is null or agent_id = $3)';
  const params = [ctx.account.id, input.external_user_id ?? null, agentId];
  const n = params.length;
  const [rows, [count]] = await Promise.all([
    ctx.db.query<MemoryRow>(
      `select ${MEMORY_COLUMNS} from memories where account_id = $1 ${userFilter} and ${input.archived ? ARCHIVED : ACTIVE}
       order by created_at desc, id desc limit $${n + 1} offset $${n + 2}`,
      [...params, input.limit, input.offset],
    ),
    ctx.db.query<{ total: number }>(`select count(*)::int as total from memories where account_id = $1 ${userFilter} and ${input.archived ? ARCHIVED : ACTIVE}`, params),
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
    `select ${MEMORY_COLUMNS} from memories where id = $1 and account_id = $2 and ($3::text is null or end_user_id = $3)
       and ($4::text is null or agent_id = $4)`,
    [input.memoryId, ctx.account.id, input.externalUserId ?? null, agentScopeOf(ctx.caller) ?? null],
  );
  if (!row) throw notFound();
  await recordAccess(ctx, [row.id]);
  return toMemoryView(row);
}

export async function deleteMemory({ ctx, input }: { ctx: Ctx; input: { memoryId: string; externalUserId?: string } }) {
  const deleted = await deleteMemoryCascade(ctx.db, {
    accountId: ctx.account.id,
    memoryId: input.memoryId,
    endUserId: input.externalUserId,
    agentId: agentScopeOf(ctx.caller),
  });
  if (!deleted) throw notFound();
  return { status: 'success' as const, id: input.memoryId, deleted: true as const };
}

/** Un-archives a memory (after pruning); it counts against the plan's memory limit again. */
export async function restoreMemory({ ctx, input }: { ctx: Ctx; input: { memoryId: string } }) {
  const row = await ctx.db.transaction(async (tx) => {
    await reserveMemories(tx, ctx, 1);
    return queryOne<MemoryRow>(
      tx,
      `update memories set archived_at = null, updated_at = $3 where id = $1 and account_id = $2 and archived_at is not null
         and ($4::text is null or agent_id = $4) returning ${MEMORY_COLUMNS}`,
      [input.memoryId, ctx.account.id, ctx.now(), agentScopeOf(ctx.caller) ?? null],
    );
  });
  if (!row) throw new ApiError('not_found', 'Archived memory not found');
  return { status: 'success' as const, memory: toMemoryView(row) };
}

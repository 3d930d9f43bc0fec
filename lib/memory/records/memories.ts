import type { Ctx } from '@/lib/core/context';
import { agentScopeOf, resolveAgent } from '@/lib/core/access';
import { queryOne } from '@/lib/db';
import { ApiError, notFound } from '@/lib/errors';
import { reserveMemories } from '@/lib/metering/quotas';
import type { PagedListInput } from '@/lib/schemas/conversation';
import type { ListMemoriesInput } from '@/lib/schemas/memory';
import { recordUse } from './access';
import { lockAccount } from './account-lock';
import { deleteMemoryCascade } from './delete';
import { ACTIVE, ARCHIVED, ENTITY_NAMES, MEMORY_COLUMNS, type MemoryRow } from './row';

/** Newest first (memories that share a timestamp: the last stored first), across the account or within one end user; active memories, or with `archived` the pruned ones. */
export async function listMemories({ ctx, input }: { ctx: Ctx; input: ListMemoriesInput }) {
  const where = `m.account_id = $1 and ($2::text is null or m.end_user_id = $2) and ($3::text is null or m.agent_id = $3)
    and ${input.archived ? ARCHIVED : ACTIVE}`;
  const params = [ctx.account.id, input.external_user_id ?? null, agentScopeOf(ctx.caller) ?? null];
  const [rows, [count]] = await Promise.all([
    ctx.db.query<MemoryRow>(`select ${MEMORY_COLUMNS} from memories m where ${where} order by m.created_at desc, m.stored_seq desc nulls last, m.id desc limit $4 offset $5`, [
      ...params,
      input.limit,
      input.offset,
    ]),
    ctx.db.query<{ total: number }>(`select count(*)::int as total from memories m where ${where}`, params),
  ]);
  return { rows, total: count?.total ?? 0 };
}

/** Pages of memories with category and agent filters, each with its entities; superseded ones on request. */
export async function listMemoriesPaged({ ctx, input }: { ctx: Ctx; input: PagedListInput }) {
  const where = `m.account_id = $1 and ($2::text is null or m.end_user_id = $2) and ($3::text is null or m.agent_id = $3)
    and ($4::text is null or m.category = $4) and m.archived_at is null and ($5 or m.superseded_by is null)`;
  // Agent-scoped keys see only their agent's memories.
  const params = [ctx.account.id, input.userId ?? null, resolveAgent(ctx, input.agentId) ?? null, input.category ?? null, input.includeSuperseded];
  const [rows, [count]] = await Promise.all([
    ctx.db.query<MemoryRow>(`select ${MEMORY_COLUMNS}, ${ENTITY_NAMES} from memories m where ${where} order by m.created_at desc, m.stored_seq desc nulls last, m.id desc limit $6 offset $7`, [
      ...params,
      input.pageSize,
      (input.page - 1) * input.pageSize,
    ]),
    ctx.db.query<{ total: number }>(`select count(*)::int as total from memories m where ${where}`, params),
  ]);
  return { rows, total: count?.total ?? 0 };
}

/** One memory of the caller's account, with its entities (another account's or agent's id is simply not found). Counts as a use. */
export async function getMemory({ ctx, input }: { ctx: Ctx; input: { memoryId: string; externalUserId?: string } }): Promise<MemoryRow> {
  const row = await queryOne<MemoryRow>(
    ctx.db,
    `select ${MEMORY_COLUMNS}, ${ENTITY_NAMES} from memories m
     where m.id = $1 and m.account_id = $2 and ($3::text is null or m.end_user_id = $3) and ($4::text is null or m.agent_id = $4)`,
    [input.memoryId, ctx.account.id, input.externalUserId ?? null, agentScopeOf(ctx.caller) ?? null],
  );
  if (!row) throw notFound();
  await recordUse(ctx, [row.id]);
  return row;
}

/**
 * The supersession chain a memory belongs to, oldest first, each with its validity window. A chain can cross agents
 * (an unscoped write supersedes every agent's fact), so an agent-scoped key sees only its agent's links of it.
 */
export async function getMemoryHistory({ ctx, input }: { ctx: Ctx; input: { memoryId: string } }) {
  const agentId = agentScopeOf(ctx.caller) ?? null;
  const owned = await queryOne<{ id: string }>(ctx.db, 'select m.id from memories m where m.id = $1 and m.account_id = $2 and ($3::text is null or m.agent_id = $3)', [
    input.memoryId,
    ctx.account.id,
    agentId,
  ]);
  if (!owned) throw notFound();
  const rows = await ctx.db.query<MemoryRow>(
    `with recursive older(id) as (
       select $1::uuid
       union select m.id from memories m join older o on m.superseded_by = o.id where m.account_id = $2
     ), newer(id) as (
       select $1::uuid
       union select m.superseded_by from memories m join newer n on m.id = n.id where m.account_id = $2 and m.superseded_by is not null
     )
     select ${MEMORY_COLUMNS}, ${ENTITY_NAMES} from memories m
     where m.account_id = $2 and m.id in (select id from older union select id from newer) and ($3::text is null or m.agent_id = $3)
     order by m.valid_from asc, m.created_at asc, m.id`,
    [input.memoryId, ctx.account.id, agentId],
  );
  return { rows, current: rows.find((row) => row.superseded_by === null && row.archived_at === null)?.id ?? null };
}

/** Deletes one memory with everything derived from it (entity links, edges, summaries); 404 when not the caller's. */
export async function deleteMemory({ ctx, input }: { ctx: Ctx; input: { memoryId: string; externalUserId?: string } }): Promise<{ id: string }> {
  const deleted = await deleteMemoryCascade(ctx.db, {
    accountId: ctx.account.id,
    memoryId: input.memoryId,
    endUserId: input.externalUserId,
    agentId: agentScopeOf(ctx.caller),
  });
  if (!deleted) throw notFound();
  return { id: input.memoryId };
}

/** Un-archives a memory (after pruning); it counts against the plan's memory limit again. */
export async function restoreMemory({ ctx, input }: { ctx: Ctx; input: { memoryId: string } }): Promise<MemoryRow> {
  const row = await ctx.db.transaction(async (tx) => {
    await lockAccount(tx, ctx.account.id);
    const archived = await queryOne<MemoryRow>(tx, `select ${MEMORY_COLUMNS} from memories m where m.id = $1 and m.account_id = $2 and ${ARCHIVED} and ($3::text is null or m.agent_id = $3) for update`, [
      input.memoryId,
      ctx.account.id,
      agentScopeOf(ctx.caller) ?? null,
    ]);
    if (!archived) return undefined;
    await reserveMemories(tx, { ...ctx, db: tx }, 1);
    return queryOne<MemoryRow>(tx, `update memories m set archived_at = null, updated_at = $3 where m.id = $1 and m.account_id = $2 returning ${MEMORY_COLUMNS}`, [
      input.memoryId,
      ctx.account.id,
      ctx.now(),
    ]);
  });
  if (!row) throw new ApiError('not_found', 'Archived memory not found');
  return row;
}

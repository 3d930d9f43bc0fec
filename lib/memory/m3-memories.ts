import type { Ctx } from '@/lib/api/context';
import type { M3ListInput } from '@/lib/api/schemas/m3mory';
import { agentScopeOf, resolveAgent } from '@/lib/api/scopes';
import { queryOne } from '@/lib/db';
import { notFound } from '@/lib/errors';
import { deleteMemoryCascade } from './delete-memory';
import { recordAccess } from './search-memories';

interface Row {
  id: string;
  content: string;
  category: string | null;
  end_user_id: string;
  agent_id: string | null;
  metadata: Record<string, unknown>;
  importance: number;
  access_count: number;
  source: string;
  source_message_ids: string[];
  context: string | null;
  created_at: Date;
  updated_at: Date;
  last_accessed_at: Date | null;
  valid_from: Date;
  valid_to: Date | null;
  superseded_by: string | null;
  archived_at: Date | null;
  entities?: string[];
}

const COLUMNS = `m.id, m.content, m.category, m.end_user_id, m.agent_id, m.metadata, m.importance, m.access_count, m.source,
  m.source_message_ids, m.context, m.created_at, m.updated_at, m.last_accessed_at, m.valid_from, m.valid_to, m.superseded_by, m.archived_at`;
const ENTITY_NAMES = `coalesce((select array_agg(e.name order by e.name) from memory_entities me join entities e on e.id = me.entity_id
  where me.memory_id = m.id and e.type <> 'user'), '{}') as entities`;

const iso = (value: Date | null) => (value ? new Date(value).toISOString() : null);

function toView(row: Row) {
  return {
    id: row.id,
    content: row.content,
    category: row.category ?? 'general',
    userId: row.end_user_id,
    agentId: row.agent_id,
    metadata: row.metadata,
    entities: row.entities ?? [],
    importance: Math.round(Number(row.importance) * 10_000) / 10_000,
    accessCount: Number(row.access_count),
    source: row.source,
    sourceMessageIds: row.source_message_ids,
    context: row.context,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    lastAccessed: iso(row.last_accessed_at),
    validFrom: iso(row.valid_from)!,
    validTo: iso(row.valid_to),
    supersededBy: row.superseded_by,
    archivedAt: iso(row.archived_at),
  };
}

export async function listConversationMemories({ ctx, input }: { ctx: Ctx; input: M3ListInput }) {
  // Agent-scoped keys see only their agent's memories.
  const agentId = resolveAgent(ctx, input.agentId) ?? null;
  const where = `m.account_id = $1 and ($2::text is null or m.end_user_id = $2) and ($3::text is null or m.agent_id = $3)
    and ($4::text is null or m.category = $4) and m.archived_at is null and ($5 or m.superseded_by is null)`;
  const params = [ctx.account.id, input.userId ?? null, agentId, input.category ?? null, input.includeSuperseded];
  const [rows, [count]] = await Promise.all([
    ctx.db.query<Row>(`select ${COLUMNS}, ${ENTITY_NAMES} from memories m where ${where} order by m.created_at desc, m.id desc limit $6 offset $7`, [
      ...params,
      input.pageSize,
      (input.page - 1) * input.pageSize,
    ]),
    ctx.db.query<{ total: number }>(`select count(*)::int as total from memories m where ${where}`, params),
  ]);
  return { memories: rows.map(toView), total: count?.total ?? 0, page: input.page, pageSize: input.pageSize };
}

async function loadOwned(ctx: Ctx, id: string): Promise<Row> {
  const row = await queryOne<Row>(ctx.db, `select ${COLUMNS}, ${ENTITY_NAMES} from memories m where m.id = $1 and m.account_id = $2`, [id, ctx.account.id]);
  const scoped = agentScopeOf(ctx.caller);
  if (!row || (scoped && row.agent_id !== scoped)) throw notFound();
  return row;
}

export async function getConversationMemory({ ctx, input }: { ctx: Ctx; input: { id: string } }) {
  const row = await loadOwned(ctx, input.id);
  await recordAccess(ctx, [row.id]);
  return toView(row);
}

/** The supersession chain a memory belongs to, oldest first, each with its validity window. */
export async function getMemoryHistory({ ctx, input }: { ctx: Ctx; input: { id: string } }) {
  await loadOwned(ctx, input.id);
  const rows = await ctx.db.query<Row>(
    `with recursive older(id) as (
       select $1::uuid
       union select m.id from memories m join older o on m.superseded_by = o.id where m.account_id = $2
     ), newer(id) as (
       select $1::uuid
       union select m.superseded_by from memories m join newer n on m.id = n.id where m.account_id = $2 and m.superseded_by is not null
     )
     select ${COLUMNS}, ${ENTITY_NAMES} from memories m
     where m.account_id = $2 and m.id in (select id from older union select id from newer)
     order by m.valid_from asc, m.created_at asc, m.id`,
    [input.id, ctx.account.id],
  );
  return { id: input.id, history: rows.map(toView), current: rows.find((row) => row.superseded_by === null && row.archived_at === null)?.id ?? null };
}

/** Deletes one memory and everything derived from it: entity links, edges, and entities left orphaned. */
export async function deleteConversationMemory({ ctx, input }: { ctx: Ctx; input: { id: string } }) {
  const row = await loadOwned(ctx, input.id);
  await deleteMemoryCascade(ctx.db, { accountId: ctx.account.id, memoryId: row.id });
  return { deleted: true as const };
}

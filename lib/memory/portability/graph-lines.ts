import type { Ctx } from '@/lib/core/context';
import type { Db } from '@/lib/db';
import { reserveStorage } from '@/lib/metering/quotas';
import type { ExportChatMessageLineT, ExportEdgeLineT, ExportEntityLineT } from '@/lib/schemas/portability';

// The lines of an export besides memories: entities (with the memories that mention them), edges and chat messages.
// Read page by page in (created_at, id) order; written back by importGraphLines inside the import's transaction.

export type GraphLine = ExportEntityLineT | ExportEdgeLineT | ExportChatMessageLineT;

export interface ExportScope {
  accountId: string;
  endUserId: string | null;
  /** An agent-scoped key: its chat messages, and entities and edges of its memories only. */
  agentId: string | null;
}

export interface Cursor {
  /** The row's created_at as the database prints it (microseconds; a Date would round them away and repeat rows). */
  createdAt: Date | string;
  id: string;
}

const iso = (value: Date | string) => new Date(value).toISOString();

type Page = (db: Db, scope: ExportScope, cursor: Cursor | null, limit: number) => Promise<{ lines: GraphLine[]; last: Cursor | null }>;

const after = (alias: string) => `($4::timestamptz is null or (${alias}.created_at, ${alias}.id) > ($4::timestamptz, $5::uuid))`;
const params = (scope: ExportScope, cursor: Cursor | null) => [scope.accountId, scope.endUserId, scope.agentId, cursor?.createdAt ?? null, cursor?.id ?? null];
const lastOf = (rows: { cursor_at: string; id: string }[]) => (rows.length ? { createdAt: rows.at(-1)!.cursor_at, id: rows.at(-1)!.id } : null);

const entityPage: Page = async (db, scope, cursor, limit) => {
  const rows = await db.query<{ id: string; end_user_id: string; name: string; normalized_name: string; type: string; created_at: Date; cursor_at: string; memory_ids: string[] }>(
    `select e.id, e.end_user_id, e.name, e.normalized_name, e.type, e.created_at, e.created_at::text as cursor_at,
            coalesce((select array_agg(me.memory_id::text order by me.memory_id) from memory_entities me join memories m on m.id = me.memory_id
                      where me.entity_id = e.id and m.account_id = $1 and ($3::text is null or m.agent_id = $3)), '{}'::text[]) as memory_ids
     from entities e
     where e.account_id = $1 and ($2::text is null or e.end_user_id = $2) and ${after('e')}
       and ($3::text is null or exists (select 1 from memory_entities me join memories m on m.id = me.memory_id where me.entity_id = e.id and m.agent_id = $3))
     order by e.created_at, e.id limit ${limit}`,
    params(scope, cursor),
  );
  return {
    lines: rows.map((row) => ({
      type: 'entity' as const,
      id: row.id,
      external_user_id: row.end_user_id,
      name: row.name,
      normalized_name: row.normalized_name,
      entity_type: row.type,
      memory_ids: row.memory_ids,
      created_at: iso(row.created_at),
    })),
    last: lastOf(rows),
  };
};

const edgePage: Page = async (db, scope, cursor, limit) => {
  const rows = await db.query<{ id: string; end_user_id: string; source_entity_id: string; target_entity_id: string; relation: string; memory_id: string | null; created_at: Date; cursor_at: string }>(
    `select g.id, g.end_user_id, g.source_entity_id, g.target_entity_id, g.relation, g.memory_id, g.created_at, g.created_at::text as cursor_at from edges g
     where g.account_id = $1 and ($2::text is null or g.end_user_id = $2) and ${after('g')}
       and ($3::text is null or exists (select 1 from memories m where m.id = g.memory_id and m.agent_id = $3))
     order by g.created_at, g.id limit ${limit}`,
    params(scope, cursor),
  );
  return {
    lines: rows.map((row) => ({
      type: 'edge' as const,
      id: row.id,
      external_user_id: row.end_user_id,
      source_entity_id: row.source_entity_id,
      target_entity_id: row.target_entity_id,
      relation: row.relation,
      memory_id: row.memory_id,
      created_at: iso(row.created_at),
    })),
    last: lastOf(rows),
  };
};

const chatMessagePage: Page = async (db, scope, cursor, limit) => {
  const rows = await db.query<{ id: string; end_user_id: string; agent_id: string | null; conversation_id: string; role: ExportChatMessageLineT['role']; content: string; created_at: Date; cursor_at: string }>(
    `select c.id, c.end_user_id, c.agent_id, c.conversation_id, c.role, c.content, c.created_at, c.created_at::text as cursor_at from chat_messages c
     where c.account_id = $1 and ($2::text is null or c.end_user_id = $2) and ($3::text is null or c.agent_id = $3) and ${after('c')}
     order by c.created_at, c.id limit ${limit}`,
    params(scope, cursor),
  );
  return {
    lines: rows.map((row) => ({
      type: 'chat_message' as const,
      id: row.id,
      external_user_id: row.end_user_id,
      agent_id: row.agent_id,
      conversation_id: row.conversation_id,
      role: row.role,
      content: row.content,
      created_at: iso(row.created_at),
    })),
    last: lastOf(rows),
  };
};

/** In the order an import needs them: entities before the edges between them. */
export const GRAPH_PAGES: Page[] = [entityPage, edgePage, chatMessagePage];

export interface GraphLines {
  entities: ExportEntityLineT[];
  edges: ExportEdgeLineT[];
  chatMessages: ExportChatMessageLineT[];
}

/** The chat message lines whose ids do not exist yet (an import skips the others, so they take no storage). */
export async function newChatMessageLines(db: Db, lines: ExportChatMessageLineT[]): Promise<ExportChatMessageLineT[]> {
  if (lines.length === 0) return [];
  const taken = new Set((await db.query<{ id: string }>('select id from chat_messages where id = any($1::uuid[])', [lines.map((line) => line.id)])).map((row) => row.id));
  return lines.filter((line) => !taken.has(line.id));
}

/**
 * Writes entity, edge and chat message lines after the import's memories, in its transaction. Ids that already exist
 * are skipped, never overwritten; an entity the end user already has (same normalized name) takes the line's links;
 * links and edges point only to memories of this account (and of an agent-scoped key's agent).
 */
export async function importGraphLines(tx: Db, ctx: Pick<Ctx, 'account' | 'now'>, lines: GraphLines, agentId: string | null) {
  const accountId = ctx.account.id;
  const entityIds = new Map<string, string>();
  let entities = 0;
  for (const line of lines.entities) {
    const inserted = await tx.query<{ id: string }>(
      `insert into entities (id, account_id, end_user_id, name, normalized_name, type, created_at) values ($1, $2, $3, $4, $5, $6, $7)
       on conflict do nothing returning id`,
      [line.id, accountId, line.external_user_id, line.name, line.normalized_name, line.entity_type, line.created_at ?? ctx.now()],
    );
    if (inserted.length > 0) entities += 1;
    const [own] = inserted.length
      ? inserted
      : await tx.query<{ id: string }>('select id from entities where account_id = $1 and end_user_id = $2 and normalized_name = $3', [accountId, line.external_user_id, line.normalized_name]);
    if (!own) continue;
    entityIds.set(line.id, own.id);
    await tx.query(
      `insert into memory_entities (memory_id, entity_id)
       select m.id, $2 from memories m where m.id = any($1::uuid[]) and m.account_id = $3 and m.end_user_id = $4 and ($5::text is null or m.agent_id = $5)
       on conflict do nothing`,
      [line.memory_ids, own.id, accountId, line.external_user_id, agentId],
    );
  }
  let edges = 0;
  for (const line of lines.edges) {
    const source = entityIds.get(line.source_entity_id);
    const target = entityIds.get(line.target_entity_id);
    if (!source || !target) continue;
    const inserted = await tx.query(
      `insert into edges (id, account_id, end_user_id, source_entity_id, target_entity_id, relation, memory_id, created_at)
       select $1, $2, $3, $4, $5, $6, m.id, $8 from (select 1) one
       left join memories m on m.id = $7::uuid and m.account_id = $2 and m.end_user_id = $3 and ($9::text is null or m.agent_id = $9)
       where $7::uuid is null or m.id is not null
       on conflict do nothing returning id`,
      [line.id, accountId, line.external_user_id, source, target, line.relation, line.memory_id, line.created_at ?? ctx.now(), agentId],
    );
    edges += inserted.length;
  }
  const freshMessages = await newChatMessageLines(tx, lines.chatMessages);
  await reserveStorage(tx, { ...ctx, db: tx }, { chatMessages: freshMessages.map((line) => line.content) });
  let chatMessages = 0;
  for (const line of freshMessages) {
    const inserted = await tx.query(
      `insert into chat_messages (id, account_id, end_user_id, agent_id, conversation_id, role, content, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8)
       on conflict do nothing returning id`,
      [line.id, accountId, line.external_user_id, line.agent_id, line.conversation_id, line.role, line.content, line.created_at ?? ctx.now()],
    );
    chatMessages += inserted.length;
  }
  return { entities, edges, chat_messages: chatMessages };
}

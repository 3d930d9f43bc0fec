import { createHash, randomUUID } from 'node:crypto';
import type { Db } from '@/lib/db';
import type { ExportLineT } from '@/lib/schemas/portability';
import type { GraphLines } from './graph-lines';

// Row ids are global (one uuid primary key per table), and an import keeps the ids of its lines. A line whose id
// another account already holds must neither be skipped (the skip would say that the id exists) nor keep it (the
// holder could have squatted an id someone will import): it gets an id of its own, and every line of the import that
// pointed to the old one follows.

type Table = 'memories' | 'entities' | 'edges' | 'chat_messages';

async function heldElsewhere(db: Db, table: Table, accountId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  // The table name is one of four constants, never input.
  const rows = await db.query<{ id: string }>(`select id from ${table} where id = any($1::uuid[]) and account_id <> $2`, [ids, accountId]);
  return new Set(rows.map((row) => row.id));
}

/** The same replacement every time for one account and id, so importing the same file twice still skips what it wrote. */
function derivedId(accountId: string, id: string): string {
  const hex = createHash('sha256').update(`${accountId}:${id}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

async function replacements(db: Db, table: Table, accountId: string, ids: string[]): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  const held = await heldElsewhere(db, table, accountId, ids);
  if (held.size === 0) return map;
  for (const id of held) map.set(id, derivedId(accountId, id));
  // A derived id someone else holds too (they would have to know this account's id): a random one then.
  const clash = await heldElsewhere(db, table, accountId, [...map.values()]);
  for (const [id, replacement] of map) if (clash.has(replacement)) map.set(id, randomUUID());
  return map;
}

/**
 * Gives the lines whose id another account holds ids of their own and points the import's references (supersession,
 * source messages, entity and edge links) at them. `remapped` maps each replaced id to its replacement.
 */
export async function remapForeignIds(db: Db, accountId: string, lines: { memories: ExportLineT[]; graph: GraphLines }) {
  const { memories, graph } = lines;
  const [memoryIds, entityIds, edgeIds, messageIds] = await Promise.all([
    replacements(db, 'memories', accountId, memories.map((line) => line.id)),
    replacements(db, 'entities', accountId, graph.entities.map((line) => line.id)),
    replacements(db, 'edges', accountId, graph.edges.map((line) => line.id)),
    replacements(db, 'chat_messages', accountId, graph.chatMessages.map((line) => line.id)),
  ]);
  const remapped = Object.fromEntries([...memoryIds, ...entityIds, ...edgeIds, ...messageIds]);
  if (Object.keys(remapped).length === 0) return { memories, graph, remapped };
  const memory = (id: string) => memoryIds.get(id) ?? id;
  const entity = (id: string) => entityIds.get(id) ?? id;
  return {
    memories: memories.map((line) => ({
      ...line,
      id: memory(line.id),
      superseded_by: line.superseded_by && memory(line.superseded_by),
      source_message_ids: line.source_message_ids.map((id) => messageIds.get(id) ?? id),
    })),
    graph: {
      entities: graph.entities.map((line) => ({ ...line, id: entity(line.id), memory_ids: line.memory_ids.map(memory) })),
      edges: graph.edges.map((line) => ({
        ...line,
        id: edgeIds.get(line.id) ?? line.id,
        source_entity_id: entity(line.source_entity_id),
        target_entity_id: entity(line.target_entity_id),
        memory_id: line.memory_id && memory(line.memory_id),
      })),
      chatMessages: graph.chatMessages.map((line) => ({ ...line, id: messageIds.get(line.id) ?? line.id })),
    },
    remapped,
  };
}

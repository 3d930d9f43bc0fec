import type { Db } from '@/lib/db';
import { normalizeName } from '@/lib/memory/ingest/extraction/rules';
import type { ExtractedEntity, ExtractedRelation } from '@/lib/memory/ingest/extraction/types';

interface Scope {
  accountId: string;
  endUserId: string;
}

/** What one memory links to: its entities and the relations between them. */
export interface MemoryGraph {
  memoryId: string;
  entities: ExtractedEntity[];
  relations: ExtractedRelation[];
}

/** A memory's entities by normalized name: the end user itself ("user"), the named ones, and any a relation names. */
function entitiesOf(scope: Scope, graph: MemoryGraph): Map<string, ExtractedEntity> {
  const named = new Map<string, ExtractedEntity>();
  for (const entity of [{ name: scope.endUserId, type: 'user' }, ...graph.entities]) named.set(normalizeName(entity.name), entity);
  for (const relation of graph.relations) {
    for (const name of [relation.source, relation.target]) {
      const normalized = normalizeName(name === 'user' ? scope.endUserId : name);
      if (normalized && !named.has(normalized)) named.set(normalized, { name, type: 'thing' });
    }
  }
  named.delete('');
  return named;
}

/**
 * Links memories to their entities (upserted per end user) and writes their relations as edges, in three statements
 * whatever the number of memories. Returns what was linked and created for each memory.
 */
export async function writeGraphs(db: Db, scope: Scope, graphs: MemoryGraph[]): Promise<{ entities: number; edges: number }[]> {
  const named = graphs.map((graph) => entitiesOf(scope, graph));
  // One row per stored name (the column keeps 255 characters); the first memory to name an entity gives its type.
  const toUpsert = new Map<string, { name: string; type: string }>();
  for (const entities of named) {
    for (const [normalized, entity] of entities) {
      const key = normalized.slice(0, 255);
      if (!toUpsert.has(key)) toUpsert.set(key, { name: entity.name.trim().slice(0, 255), type: entity.type.slice(0, 64) || 'thing' });
    }
  }
  if (toUpsert.size === 0) return graphs.map(() => ({ entities: 0, edges: 0 }));
  const upserted = await db.query<{ id: string; normalized_name: string }>(
    `insert into entities (account_id, end_user_id, name, normalized_name, type)
     select $1, $2, u.name, u.normalized_name, u.type from unnest($3::text[], $4::text[], $5::text[]) as u(name, normalized_name, type)
     on conflict (account_id, end_user_id, normalized_name) do update set name = entities.name
     returning id, normalized_name`,
    [scope.accountId, scope.endUserId, [...toUpsert.values()].map((e) => e.name), [...toUpsert.keys()], [...toUpsert.values()].map((e) => e.type)],
  );
  const idOf = new Map(upserted.map((row) => [row.normalized_name, row.id]));
  const entityId = (name: string) => idOf.get(normalizeName(name === 'user' ? scope.endUserId : name).slice(0, 255));
  const links = new Map<string, [string, string]>();
  const edges: { source: string; target: string; relation: string; memoryId: string }[] = [];
  const counts = graphs.map((graph, i) => {
    for (const normalized of named[i]!.keys()) {
      const id = idOf.get(normalized.slice(0, 255))!;
      links.set(`${graph.memoryId}:${id}`, [graph.memoryId, id]);
    }
    let created = 0;
    for (const relation of graph.relations) {
      const source = entityId(relation.source);
      const target = entityId(relation.target);
      if (!source || !target || source === target) continue;
      edges.push({ source, target, relation: relation.relation.slice(0, 64) || 'related_to', memoryId: graph.memoryId });
      created += 1;
    }
    return { entities: named[i]!.size, edges: created };
  });
  await db.query(
    `insert into memory_entities (memory_id, entity_id) select u.memory_id, u.entity_id from unnest($1::uuid[], $2::uuid[]) as u(memory_id, entity_id)
     on conflict do nothing`,
    [[...links.values()].map(([memoryId]) => memoryId), [...links.values()].map(([, id]) => id)],
  );
  if (edges.length > 0) {
    await db.query(
      `insert into edges (account_id, end_user_id, source_entity_id, target_entity_id, relation, memory_id)
       select $1, $2, u.source, u.target, u.relation, u.memory_id from unnest($3::uuid[], $4::uuid[], $5::text[], $6::uuid[]) as u(source, target, relation, memory_id)`,
      [scope.accountId, scope.endUserId, edges.map((e) => e.source), edges.map((e) => e.target), edges.map((e) => e.relation), edges.map((e) => e.memoryId)],
    );
  }
  return counts;
}

/** Entities left with no memory and no edge are removed (after deletions). */
export async function removeOrphanEntities(db: Db, scope: Scope): Promise<number> {
  const rows = await db.query(
    `delete from entities e where e.account_id = $1 and e.end_user_id = $2
       and not exists (select 1 from memory_entities me where me.entity_id = e.id)
       and not exists (select 1 from edges g where g.source_entity_id = e.id or g.target_entity_id = e.id)
     returning e.id`,
    [scope.accountId, scope.endUserId],
  );
  return rows.length;
}

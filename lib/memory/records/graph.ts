import type { Db } from '@/lib/db';
import { normalizeName } from '@/lib/memory/ingest/extraction/rules';
import type { ExtractedEntity, ExtractedRelation } from '@/lib/memory/ingest/extraction/types';

interface Scope {
  accountId: string;
  endUserId: string;
}

/** Upserts entities of one end user and returns their ids by normalized name; "user" is the end user itself. */
async function upsertEntities(db: Db, scope: Scope, entities: ExtractedEntity[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const entity of entities) {
    const normalized = normalizeName(entity.name);
    if (!normalized || ids.has(normalized)) continue;
    const rows = await db.query<{ id: string }>(
      `insert into entities (account_id, end_user_id, name, normalized_name, type) values ($1, $2, $3, $4, $5)
       on conflict (account_id, end_user_id, normalized_name) do update set name = entities.name
       returning id`,
      [scope.accountId, scope.endUserId, entity.name.trim().slice(0, 255), normalized.slice(0, 255), entity.type.slice(0, 64) || 'thing'],
    );
    ids.set(normalized, rows[0]!.id);
  }
  return ids;
}

/** Links a memory to its entities and writes its relations as edges. Returns what was created. */
export async function writeGraph(
  db: Db,
  scope: Scope,
  memoryId: string,
  entities: ExtractedEntity[],
  relations: ExtractedRelation[],
): Promise<{ entities: number; edges: number }> {
  const userEntity = { name: scope.endUserId, type: 'user' };
  const named = new Map<string, ExtractedEntity>();
  for (const entity of [userEntity, ...entities]) named.set(normalizeName(entity.name), entity);
  for (const relation of relations) {
    for (const name of [relation.source, relation.target]) {
      const normalized = normalizeName(name === 'user' ? scope.endUserId : name);
      if (normalized && !named.has(normalized)) named.set(normalized, { name, type: 'thing' });
    }
  }
  const ids = await upsertEntities(db, scope, [...named.values()]);
  for (const entityId of ids.values()) {
    await db.query('insert into memory_entities (memory_id, entity_id) values ($1, $2) on conflict do nothing', [memoryId, entityId]);
  }
  let edges = 0;
  for (const relation of relations) {
    const source = ids.get(normalizeName(relation.source === 'user' ? scope.endUserId : relation.source));
    const target = ids.get(normalizeName(relation.target === 'user' ? scope.endUserId : relation.target));
    if (!source || !target || source === target) continue;
    await db.query(
      'insert into edges (account_id, end_user_id, source_entity_id, target_entity_id, relation, memory_id) values ($1, $2, $3, $4, $5, $6)',
      [scope.accountId, scope.endUserId, source, target, relation.relation.slice(0, 64) || 'related_to', memoryId],
    );
    edges += 1;
  }
  return { entities: ids.size, edges };
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

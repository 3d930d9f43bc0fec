import { agentScopeOf } from '@/lib/core/access';
import type { Ctx } from '@/lib/core/context';

/** Each memory links to its LINK_NEIGHBOURS most similar memories of the same end user at or above LINK_SIMILARITY. */
export const LINK_NEIGHBOURS = 5;
export const LINK_SIMILARITY = 0.6;
/**
 * A rebuild links an end user's LINK_MEMORIES most recent active memories among themselves, LINK_CHUNK source memories
 * per transaction: each statement compares at most LINK_CHUNK × LINK_MEMORIES vectors, whatever the end user holds.
 * On embedded PGlite one statement holds the database for every tenant (it has no statement timeout), so no statement
 * may grow with a tenant's data.
 */
export const LINK_MEMORIES = 2_000;
export const LINK_CHUNK = 100;

export interface LinkBounds {
  memories: number;
  chunk: number;
}

/**
 * Rebuilds one end user's similarity links: links from memories no longer among the linked ones go first, then each
 * chunk of source memories gets its links replaced in its own short transaction (other requests run between chunks).
 * An agent-scoped key rebuilds the links among its agent's memories only; links touching another agent's memory stay
 * as they are.
 */
export async function rebuildLinks(ctx: Ctx, endUserId: string, bounds: LinkBounds = { memories: LINK_MEMORIES, chunk: LINK_CHUNK }): Promise<number> {
  const agentId = agentScopeOf(ctx.caller) ?? null;
  const linked = (
    await ctx.db.query<{ id: string }>(
      `select id from memories
       where account_id = $1 and end_user_id = $2 and ($3::text is null or agent_id = $3)
         and archived_at is null and superseded_by is null and embedding is not null
       order by created_at desc, id desc limit $4`,
      [ctx.account.id, endUserId, agentId, bounds.memories],
    )
  ).map((row) => row.id);
  // With an agent, only links whose both ends are the agent's are its own to remove.
  const agentsOwn = `($3::text is null or (exists (select 1 from memories s where s.id = l.source_id and s.agent_id = $3)
                                           and exists (select 1 from memories t where t.id = l.target_id and t.agent_id = $3)))`;
  await ctx.db.query(
    `delete from memory_links l where l.account_id = $1 and l.end_user_id = $2 and not (l.source_id = any($4::uuid[])) and ${agentsOwn}`,
    [ctx.account.id, endUserId, agentId, linked],
  );
  let links = 0;
  for (let start = 0; start < linked.length; start += bounds.chunk) {
    const sources = linked.slice(start, start + bounds.chunk);
    links += await ctx.db.transaction(async (tx) => {
      await tx.query(`delete from memory_links l where l.account_id = $1 and l.end_user_id = $2 and l.source_id = any($4::uuid[]) and ${agentsOwn}`, [
        ctx.account.id,
        endUserId,
        agentId,
        sources,
      ]);
      const rows = await tx.query(
        `with pool as materialized (
           select id, embedding from memories where account_id = $1 and end_user_id = $2 and id = any($3::uuid[])
         )
         insert into memory_links (account_id, end_user_id, source_id, target_id, similarity)
         select $1, $2, a.id, n.id, n.similarity
         from pool a
         cross join lateral (
           select b.id, 1 - (a.embedding <=> b.embedding) as similarity from pool b
           where b.id <> a.id order by a.embedding <=> b.embedding limit $5
         ) n
         where a.id = any($4::uuid[]) and n.similarity >= $6
         returning source_id`,
        [ctx.account.id, endUserId, linked, sources, LINK_NEIGHBOURS, LINK_SIMILARITY],
      );
      return rows.length;
    });
  }
  return links;
}

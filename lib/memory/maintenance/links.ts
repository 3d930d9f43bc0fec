import { agentScopeOf } from '@/lib/core/access';
import type { Ctx } from '@/lib/core/context';

/** Each memory links to its LINK_NEIGHBOURS most similar memories of the same end user at or above LINK_SIMILARITY. */
export const LINK_NEIGHBOURS = 5;
export const LINK_SIMILARITY = 0.6;

/**
 * Rebuilds one end user's similarity links in one transaction (old links out, new ones in). An agent-scoped key
 * rebuilds the links among its agent's memories only; links touching another agent's memory stay as they are.
 */
export async function rebuildLinks(ctx: Ctx, endUserId: string): Promise<number> {
  return ctx.db.transaction(async (tx) => {
    const agentId = agentScopeOf(ctx.caller) ?? null;
    await tx.query(
      `delete from memory_links l where l.account_id = $1 and l.end_user_id = $2
         and ($3::text is null or (exists (select 1 from memories s where s.id = l.source_id and s.agent_id = $3)
                                   and exists (select 1 from memories t where t.id = l.target_id and t.agent_id = $3)))`,
      [ctx.account.id, endUserId, agentId],
    );
    const rows = await tx.query(
      `insert into memory_links (account_id, end_user_id, source_id, target_id, similarity)
       select $1, $2, a.id, n.id, n.similarity
       from memories a
       cross join lateral (
         select b.id, 1 - (a.embedding <=> b.embedding) as similarity
         from memories b
         where b.account_id = $1 and b.end_user_id = $2 and ($5::text is null or b.agent_id = $5) and b.id <> a.id and b.archived_at is null and b.superseded_by is null and b.embedding is not null
         order by a.embedding <=> b.embedding
         limit $3
       ) n
       where a.account_id = $1 and a.end_user_id = $2 and ($5::text is null or a.agent_id = $5) and a.archived_at is null and a.superseded_by is null and a.embedding is not null
         and n.similarity >= $4
       returning source_id`,
      [ctx.account.id, endUserId, LINK_NEIGHBOURS, LINK_SIMILARITY, agentId],
    );
    return rows.length;
  });
}

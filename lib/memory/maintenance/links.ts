import type { Ctx } from '@/lib/core/context';

/** Each memory links to its LINK_NEIGHBOURS most similar memories of the same end user at or above LINK_SIMILARITY. */
export const LINK_NEIGHBOURS = 5;
export const LINK_SIMILARITY = 0.6;

/** Rebuilds one end user's similarity links in one transaction (old links out, new ones in). */
export async function rebuildLinks(ctx: Ctx, endUserId: string): Promise<number> {
  return ctx.db.transaction(async (tx) => {
    await tx.query('delete from memory_links where account_id = $1 and end_user_id = $2', [ctx.account.id, endUserId]);
    const rows = await tx.query(
      `insert into memory_links (account_id, end_user_id, source_id, target_id, similarity)
       select $1, $2, a.id, n.id, n.similarity
       from memories a
       cross join lateral (
         select b.id, 1 - (a.embedding <=> b.embedding) as similarity
         from memories b
         where b.account_id = $1 and b.end_user_id = $2 and b.id <> a.id and b.archived_at is null and b.superseded_by is null and b.embedding is not null
         order by a.embedding <=> b.embedding
         limit $3
       ) n
       where a.account_id = $1 and a.end_user_id = $2 and a.archived_at is null and a.superseded_by is null and a.embedding is not null
         and n.similarity >= $4
       returning source_id`,
      [ctx.account.id, endUserId, LINK_NEIGHBOURS, LINK_SIMILARITY],
    );
    return rows.length;
  });
}

import type { Ctx } from '@/lib/api/context';
import type { SearchMemoriesInput } from '@/lib/api/schemas/memory';
import { agentScopeOf } from '@/lib/api/scopes';
import { toVectorLiteral } from '@/lib/db';
import { consumeSearch } from '@/lib/billing/quotas';
import { embedOrFail } from './embed';
import { importanceAfterAccessesSql } from './importance';
import { deferBatch } from '@/lib/api/defer';
import { roundScore, toMemoryView, type MemoryRow } from './memory-view';

type MatchRow = MemoryRow & { similarity: number; combined_score: number };

/** Marks memories as used: access count, last access and importance rise together (inside the caller's transaction). */
export async function recordAccess(ctx: Ctx, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await ctx.db.query(
    `update memories set access_count = access_count + 1, last_accessed_at = $3, importance = ${importanceAfterAccessesSql('access_count + 1')}
     where account_id = $1 and id = any($2::uuid[])`,
    [ctx.account.id, ids, ctx.now()],
  );
}

/**
 * The same for reads that return memories (searches and context): written just after the response, one statement
 * for every read of the account since the last flush (a memory read twice counts twice).
 */
export function recordAccessSoon(ctx: Ctx, ids: string[]): void {
  if (ids.length === 0) return;
  const at = ctx.now();
  deferBatch(`access:${ctx.account.id}`, { ids, at }, async (reads) => {
    const all = reads.flatMap((read) => read.ids);
    const latest = reads.reduce((max, read) => (read.at > max ? read.at : max), reads[0]!.at);
    await ctx.db.query(
      `update memories m set access_count = m.access_count + a.n, last_accessed_at = greatest(m.last_accessed_at, $3),
              importance = ${importanceAfterAccessesSql('m.access_count + a.n')}
       from (select id, count(*)::int as n from unnest($2::uuid[]) as id group by id) a
       where m.account_id = $1 and m.id = a.id`,
      [ctx.account.id, all, latest],
    );
  });
}

/** Semantic search inside one end user's memories through match_memories (exact: it never misses a row). */
export async function searchMemories({ ctx, input }: { ctx: Ctx; input: SearchMemoriesInput }) {
  await consumeSearch(ctx);
  const [embedding] = await embedOrFail(ctx, [input.query]);
  const rows = await ctx.db.query<MatchRow>(
    `select m.id, m.content, m.end_user_id, m.metadata, m.importance, m.access_count, m.created_at, m.updated_at,
            m.last_accessed_at, r.similarity, r.combined_score
     from match_memories($1, $2, $3::vector, $4, $5, $6) r join memories m on m.id = r.id
     order by r.combined_score desc, r.similarity desc, r.id`,
    [ctx.account.id, input.external_user_id, toVectorLiteral(embedding!), input.similarity_threshold, input.limit, agentScopeOf(ctx.caller) ?? null],
  );
  recordAccessSoon(ctx, rows.map((row) => row.id));
  return {
    results: rows.map((row) => ({
      memory: toMemoryView(row),
      similarity: roundScore(Number(row.similarity)),
      combined_score: roundScore(Number(row.combined_score)),
    })),
    total_count: rows.length,
    query: input.query,
    similarity_threshold: input.similarity_threshold,
  };
}

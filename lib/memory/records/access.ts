import type { Caller, Ctx } from '@/lib/core/context';
import { deferBatch } from '@/lib/core/after-response';
import { importanceAfterUsesSql } from './importance';

/** A key limited to reading ("read" without "write"): what it reads is counted as a read, never as a use. */
function readOnlyKey(caller: Caller): boolean {
  if (caller.type !== 'apiKey') return false;
  const levels = caller.scopes.filter((scope) => scope === 'read' || scope === 'write');
  return levels.length > 0 && !levels.includes('write');
}

/**
 * An explicit use of memories (a GET by id, a chat reply built on them), inside the caller's transaction: use and
 * access counts, their times, and importance rise together. A read-only key only reads: its GET raises the access
 * count as a search does, and importance does not move.
 */
export async function recordUse(ctx: Ctx, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  if (readOnlyKey(ctx.caller)) return recordReadSoon(ctx, ids);
  await ctx.db.query(
    `update memories set access_count = access_count + 1, last_accessed_at = $3, use_count = use_count + 1, last_used_at = $3,
            importance = ${importanceAfterUsesSql('use_count + 1')}
     where account_id = $1 and id = any($2::uuid[])`,
    [ctx.account.id, ids, ctx.now()],
  );
}

/**
 * Reads that return memories (searches, context): the access count and last access only — importance does not move,
 * so no amount of searching changes the next ranking. Written just after the response, one statement for every read
 * of the account since the last flush (a memory read twice counts twice).
 */
export function recordReadSoon(ctx: Ctx, ids: string[]): void {
  if (ids.length === 0) return;
  const at = ctx.now();
  deferBatch(`access:${ctx.account.id}`, { ids, at }, async (reads) => {
    const all = reads.flatMap((read) => read.ids);
    const latest = reads.reduce((max, read) => (read.at > max ? read.at : max), reads[0]!.at);
    await ctx.db.query(
      `update memories m set access_count = m.access_count + a.n, last_accessed_at = greatest(m.last_accessed_at, $3)
       from (select id, count(*)::int as n from unnest($2::uuid[]) as id group by id) a
       where m.account_id = $1 and m.id = a.id`,
      [ctx.account.id, all, latest],
    );
  });
}

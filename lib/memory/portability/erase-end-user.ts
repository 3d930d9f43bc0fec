import type { Ctx } from '@/lib/core/context';
import { agentScopeOf, forbidden } from '@/lib/core/access';
import { forgetEndUserInRuns } from '@/lib/memory/maintenance/runs';
import { lockAccount } from '@/lib/memory/records/account-lock';
import { forgetEndUserInRequestLog } from '@/lib/metering/request-log';

/** Deletes everything stored for one end user of the account and says how much went. */
export async function eraseEndUser({ ctx, input }: { ctx: Ctx; input: { externalUserId: string } }) {
  // An agent-scoped key may not erase what other agents know about the user.
  if (agentScopeOf(ctx.caller)) throw forbidden();
  return ctx.db.transaction(async (tx) => {
    await lockAccount(tx, ctx.account.id);
    const scope = [ctx.account.id, input.externalUserId];
    const edges = await tx.query('delete from edges where account_id = $1 and end_user_id = $2 returning id', scope);
    const memories = await tx.query('delete from memories where account_id = $1 and end_user_id = $2 returning id', scope);
    const entities = await tx.query('delete from entities where account_id = $1 and end_user_id = $2 returning id', scope);
    const messages = await tx.query('delete from chat_messages where account_id = $1 and end_user_id = $2 returning id', scope);
    // The id itself must not outlive the erasure in the request log or the maintenance history.
    await forgetEndUserInRequestLog(tx, { accountId: ctx.account.id, externalUserId: input.externalUserId });
    await forgetEndUserInRuns(tx, { accountId: ctx.account.id, externalUserId: input.externalUserId });
    return {
      status: 'success' as const,
      external_user_id: input.externalUserId,
      deleted: { memories: memories.length, entities: entities.length, edges: edges.length, chat_messages: messages.length },
    };
  });
}

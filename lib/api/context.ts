import type { Account } from '@/lib/auth/accounts';
import type { Services } from '@/lib/services';

export type Caller =
  | { type: 'apiKey'; keyId: string; scopes: string[] }
  | { type: 'session'; userId: string; email: string }
  | { type: 'system'; name: 'cron' | 'script' };

/** What every domain function receives: the account, who is calling, and the outside world. */
export interface Ctx extends Services {
  requestId: string;
  account: Account;
  caller: Caller;
}

export function sessionUserId(ctx: Ctx): string {
  if (ctx.caller.type !== 'session') throw new Error('this route requires a dashboard session');
  return ctx.caller.userId;
}

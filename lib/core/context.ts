import type { Account } from '@/lib/auth/accounts';
import { scopedEmbedder } from '@/lib/embeddings/types';
import { meteredLlm } from '@/lib/metering/metered-llm';
import type { Services } from '@/lib/services';

export type Caller =
  | { type: 'apiKey'; keyId: string; scopes: string[] }
  | { type: 'session'; userId: string; email: string }
  | { type: 'system'; name: 'cron' | 'script' };

/**
 * What every domain function receives: the account, who is calling, and the outside world. The same for an HTTP
 * request, a cron run or a script; nothing in it knows about HTTP.
 */
export interface Ctx extends Services {
  requestId: string;
  account: Account;
  caller: Caller;
}

/** The context of one unit of work: its LLM is the metered one, so no model call can skip the token quota. */
export function createContext(services: Services, who: { account: Account; caller: Caller; requestId: string }): Ctx {
  // The embedding cache is per account: a cache hit (and its Server-Timing) never says what another tenant embedded.
  const base = { ...services, ...who, embedder: scopedEmbedder(services.embedder, who.account.id) };
  return { ...base, llm: meteredLlm(services.llm, base) };
}

export function sessionUserId(ctx: Ctx): string {
  if (ctx.caller.type !== 'session') throw new Error('this route requires a dashboard session');
  return ctx.caller.userId;
}

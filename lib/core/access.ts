import { ApiError } from '@/lib/errors';
import type { Caller, Ctx } from './context';

// Key scopes: [] = full access (every key created before scopes existed), "read", "write", "agent:<id>".
export type Access = 'read' | 'write';

export const forbidden = () => new ApiError('forbidden', 'API key does not have access to this resource');

export function checkAccess(caller: Caller, access: Access): void {
  if (caller.type !== 'apiKey') return;
  const levels = caller.scopes.filter((scope) => scope === 'read' || scope === 'write');
  // Either level may read; only "write" may write.
  if (levels.length > 0 && access === 'write' && !levels.includes('write')) throw forbidden();
}

export function agentScopeOf(caller: Caller): string | undefined {
  if (caller.type !== 'apiKey') return undefined;
  return caller.scopes.find((scope) => scope.startsWith('agent:'))?.slice('agent:'.length);
}

/** The agent a request acts for: a key limited to one agent may not name another. */
export function resolveAgent(ctx: Ctx, requested: string | undefined): string | undefined {
  const scoped = agentScopeOf(ctx.caller);
  if (!scoped) return requested;
  if (requested !== undefined && requested !== scoped) throw forbidden();
  return scoped;
}

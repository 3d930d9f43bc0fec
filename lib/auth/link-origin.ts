import type { Env } from '@/lib/env';

/**
 * Where links sent by mail point (confirmation, password reset): APP_URL. The request's own origin is whatever its
 * Host header says, so it is used only outside production, where a developer runs without APP_URL; in production
 * without APP_URL, no link is sent.
 */
export function mailLinkOrigin(env: Env, requestOrigin: string): string | null {
  if (env.APP_URL) return env.APP_URL.replace(/\/+$/, '');
  return env.NODE_ENV === 'production' ? null : requestOrigin;
}

// POST /auth/v1/recover – email a password reset link (local auth; Supabase-compatible request)
import { gotrueRoute, readJson } from '@/lib/auth/gotrue-route';
import { requestPasswordReset } from '@/lib/auth/password-reset';

export const POST = gotrueRoute(async ({ services, request, requestOrigin, clientAddress }) =>
  requestPasswordReset(services, await readJson(request), { requestOrigin, clientAddress }),
);

// POST /auth/v1/recover – email a password reset link (local auth; Supabase-compatible request)
import { gotrueRoute, readJson } from '@/lib/auth/gotrue-route';
import { requestPasswordReset } from '@/lib/auth/local-auth';

export const POST = gotrueRoute(async ({ services, request }) => requestPasswordReset(services, await readJson(request), new URL(request.url).origin));

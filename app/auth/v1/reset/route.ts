// POST /auth/v1/reset – set a new password with a reset token (local auth only)
import { gotrueRoute, readJson } from '@/lib/auth/gotrue-route';
import { resetPassword } from '@/lib/auth/local-auth';

export const POST = gotrueRoute(async ({ services, request }) => resetPassword(services, await readJson(request)));

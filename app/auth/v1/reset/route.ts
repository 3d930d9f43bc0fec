// POST /auth/v1/reset – set a new password with a reset token (local auth only); revokes sessions and the user's API keys
import { gotrueRoute, readJson } from '@/lib/auth/gotrue-route';
import { resetPassword } from '@/lib/auth/password-reset';

export const POST = gotrueRoute(async ({ services, request, clientAddress }) => resetPassword(services, await readJson(request), clientAddress));

// POST /auth/v1/signup – local email + password sign-up (Supabase Auth compatible); with a mail transport, a confirmation link instead of a session
import { gotrueRoute, readJson } from '@/lib/auth/gotrue-route';
import { signUp } from '@/lib/auth/local-auth';

export const POST = gotrueRoute(async ({ services, request, issuer, requestOrigin, clientAddress }) =>
  signUp(services, await readJson(request), { issuer, requestOrigin, clientAddress }),
);

// POST /auth/v1/token?grant_type=password|refresh_token – local sign-in and session refresh (Supabase Auth compatible)
import { GoTrueError } from '@/lib/auth/gotrue-error';
import { gotrueRoute, readJson } from '@/lib/auth/gotrue-route';
import { refreshSession, signInWithPassword } from '@/lib/auth/local-auth';

export const POST = gotrueRoute(async ({ services, request, issuer, clientAddress }) => {
  const grantType = new URL(request.url).searchParams.get('grant_type');
  const body = await readJson(request);
  if (grantType === 'password') return signInWithPassword(services, body, issuer, clientAddress);
  if (grantType === 'refresh_token') return refreshSession(services, body, issuer);
  throw new GoTrueError(400, 'unsupported_grant_type', 'grant_type must be password or refresh_token');
});

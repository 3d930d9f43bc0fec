// POST /auth/v1/verify – use an email confirmation link once: creates the account and signs in (Supabase verifyOtp with token_hash)
import { confirmSignUp } from '@/lib/auth/email-confirmation';
import { gotrueRoute, readJson } from '@/lib/auth/gotrue-route';

export const POST = gotrueRoute(async ({ services, request, issuer, clientAddress }) => confirmSignUp(services, await readJson(request), { issuer, clientAddress }));

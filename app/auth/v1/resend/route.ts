// POST /auth/v1/resend – mail a new confirmation link for a sign-up still waiting (one mail per email a minute, shared with sign-up; the same answer for every email)
import { resendConfirmation } from '@/lib/auth/email-confirmation';
import { gotrueRoute, readJson } from '@/lib/auth/gotrue-route';

export const POST = gotrueRoute(async ({ services, request, requestOrigin, clientAddress }) =>
  resendConfirmation(services, await readJson(request), { requestOrigin, clientAddress }),
);

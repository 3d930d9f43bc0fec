// POST /api/billing/checkout – a Stripe Checkout URL to subscribe the signed-in account to a plan
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { startCheckout } from '@/lib/billing/billing-service';

export const POST = route(OPERATIONS.startCheckout, ({ ctx, body, request }) => startCheckout({ ctx, input: { plan: body.plan, origin: new URL(request.url).origin } }));

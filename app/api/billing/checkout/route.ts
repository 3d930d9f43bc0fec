// POST /api/billing/checkout – a Stripe Checkout URL to subscribe the signed-in account to a plan
import { z } from 'zod';
import { route } from '@/lib/api/route';
import { startCheckout } from '@/lib/billing/billing-service';

const CheckoutBody = z.object({ plan: z.enum(['starter', 'pro', 'scale']) });

export const POST = route({ auth: 'session', body: CheckoutBody }, ({ ctx, body, request }) =>
  startCheckout({ ctx, input: { plan: body.plan, origin: new URL(request.url).origin } }),
);

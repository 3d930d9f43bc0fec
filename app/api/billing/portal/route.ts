// POST /api/billing/portal – a Stripe Customer Portal URL to change or cancel the subscription
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { openPortal } from '@/lib/billing/billing-service';

export const POST = route(OPERATIONS.openBillingPortal, ({ ctx, request }) => openPortal({ ctx, input: { origin: new URL(request.url).origin } }));

// POST /api/billing/portal – a Stripe Customer Portal URL to change or cancel the subscription
import { route } from '@/lib/api/route';
import { openPortal } from '@/lib/billing/billing-service';

export const POST = route({ auth: 'session' }, ({ ctx, request }) => openPortal({ ctx, input: { origin: new URL(request.url).origin } }));

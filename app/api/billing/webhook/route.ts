// POST /api/billing/webhook – Stripe events (signature verified); sets the account's plan idempotently
import { randomUUID } from 'node:crypto';
import { errorResponse } from '@/lib/api/error-response';
import { OPERATIONS } from '@/lib/api/operations';
import { servesOperation } from '@/lib/api/route';
import { getServices } from '@/lib/services';

export const POST = servesOperation(OPERATIONS.stripeWebhook, async (request) => {
  const requestId = randomUUID();
  try {
    const services = await getServices();
    const result = await services.billing.handleWebhook(services.db, await request.text(), request.headers.get('stripe-signature'));
    return Response.json(result, { headers: { 'X-Request-Id': requestId } });
  } catch (error) {
    return errorResponse(error, requestId);
  }
});

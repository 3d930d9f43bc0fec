import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import * as webhook from '@/app/api/billing/webhook/route';
import { call } from './http';

/** Answers the Stripe API calls the app makes (Checkout and Portal sessions) and records their form bodies. */
export async function startFakeStripe() {
  const requests: { path: string; form: URLSearchParams; authorization: string | undefined }[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', form: new URLSearchParams(raw), authorization: req.headers.authorization });
      res.setHeader('content-type', 'application/json');
      if (req.url === '/v1/checkout/sessions') return res.end(JSON.stringify({ id: 'cs_test_1', object: 'checkout.session', url: 'https://checkout.stripe.test/c/cs_test_1' }));
      if (req.url === '/v1/billing_portal/sessions') return res.end(JSON.stringify({ id: 'bps_1', object: 'billing_portal.session', url: 'https://billing.stripe.test/p/bps_1' }));
      res.statusCode = 404;
      res.end(JSON.stringify({ error: { type: 'invalid_request_error', message: `No such route ${req.url}` } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A Stripe event envelope around one object, as webhooks deliver it. */
export const stripeEvent = (id: string, type: string, created: number, object: Record<string, unknown>) => ({ id, object: 'event', type, created, data: { object } });

/** Posts an event to the webhook route, signed with `secret` the way Stripe signs it. */
export async function sendStripeEvent(event: Record<string, unknown>, secret: string) {
  const payload = JSON.stringify(event);
  const header = new Stripe('sk_test_unused').webhooks.generateTestHeaderString({ payload, secret });
  return call(webhook.POST as never, 'POST', '/api/billing/webhook', { rawBody: payload, headers: { 'stripe-signature': header, 'content-type': 'application/json' } });
}

import http from 'node:http';
import { startMailSink } from '../helpers/mail-sink';

// A mail sink for the e2e email-confirmation server (playwright.config.ts): it accepts every message over SMTP on
// SMTP_SINK_PORT and serves what it received as JSON on SMTP_SINK_HTTP_PORT (GET /messages?to=<address>).

const smtpPort = Number(process.env.SMTP_SINK_PORT ?? 3212);
const httpPort = Number(process.env.SMTP_SINK_HTTP_PORT ?? 3213);

async function main() {
  const sink = await startMailSink(smtpPort);
  const api = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (request.method !== 'GET' || url.pathname !== '/messages') {
      response.writeHead(404).end();
      return;
    }
    const to = url.searchParams.get('to')?.toLowerCase();
    const mails = (to ? sink.inbox.filter((mail) => mail.to.includes(to)) : sink.inbox).map(({ to, subject, text }) => ({ to, subject, text }));
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(mails));
  });
  api.listen(httpPort, '127.0.0.1');

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      api.close();
      void sink.close().then(() => process.exit(0));
    });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

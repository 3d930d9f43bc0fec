import http from 'node:http';
import { SMTPServer } from 'smtp-server';

// A mail sink for the e2e email-confirmation server (playwright.config.ts): it accepts every message over SMTP on
// SMTP_SINK_PORT and serves what it received as JSON on SMTP_SINK_HTTP_PORT (GET /messages?to=<address>).

interface ReceivedMail {
  to: string[];
  subject: string;
  /** The body, quoted-printable decoded (nodemailer's encoding for text with long lines). */
  text: string;
}

const smtpPort = Number(process.env.SMTP_SINK_PORT ?? 3212);
const httpPort = Number(process.env.SMTP_SINK_HTTP_PORT ?? 3213);
const inbox: ReceivedMail[] = [];

function decodeQuotedPrintable(body: string): string {
  return body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function parse(raw: string, to: string[]): ReceivedMail {
  const split = raw.indexOf('\r\n\r\n');
  const headers = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const subject = /^Subject: (.*)$/im.exec(headers)?.[1] ?? '';
  const quoted = /^Content-Transfer-Encoding: quoted-printable$/im.test(headers);
  const body = raw.slice(split + 4);
  return { to, subject, text: quoted ? decodeQuotedPrintable(body) : body };
}

const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      inbox.push(parse(Buffer.concat(chunks).toString('utf8'), session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase())));
      callback();
    });
  },
});

const api = http.createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (request.method !== 'GET' || url.pathname !== '/messages') {
    response.writeHead(404).end();
    return;
  }
  const to = url.searchParams.get('to')?.toLowerCase();
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify(to ? inbox.filter((mail) => mail.to.includes(to)) : inbox));
});

smtp.listen(smtpPort, '127.0.0.1');
api.listen(httpPort, '127.0.0.1');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    api.close();
    smtp.close(() => process.exit(0));
  });
}

import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

// A local SMTP server that accepts every message and keeps it: the integration tests talk to it in process
// (tests/integration/auth-confirm.test.ts), the e2e sink serves its inbox over HTTP (tests/e2e/smtp-sink.ts).

export interface ReceivedMail {
  /** Envelope recipients, lower-cased. */
  to: string[];
  subject: string;
  /** The whole message as received, headers included. */
  raw: string;
  /** The body, quoted-printable decoded when sent so (nodemailer's encoding for text with long lines). */
  text: string;
}

export interface MailSink {
  readonly inbox: ReceivedMail[];
  readonly port: number;
  close(): Promise<void>;
}

function decodeQuotedPrintable(body: string): string {
  return body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

export function parseMail(raw: string, to: string[]): ReceivedMail {
  const split = raw.indexOf('\r\n\r\n');
  const headers = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const subject = /^Subject: (.*)$/im.exec(headers)?.[1] ?? '';
  const quoted = /^Content-Transfer-Encoding: quoted-printable$/im.test(headers);
  const body = raw.slice(split + 4);
  return { to: to.map((address) => address.toLowerCase()), subject, raw, text: quoted ? decodeQuotedPrintable(body) : body };
}

/** Listens on 127.0.0.1:`port` (0: any free port) and resolves once it accepts connections. */
export async function startMailSink(port = 0): Promise<MailSink> {
  const inbox: ReceivedMail[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        inbox.push(parseMail(Buffer.concat(chunks).toString('utf8'), session.envelope.rcptTo.map((rcpt) => rcpt.address)));
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    smtp.once('error', reject);
    smtp.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    inbox,
    port: (smtp.server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => smtp.close(() => resolve())),
  };
}

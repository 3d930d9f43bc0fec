import nodemailer from 'nodemailer';
import type { Mailer } from './index';

/**
 * Mail over SMTP with nodemailer (the maintained Node mail client: STARTTLS, auth, pooling, address encoding).
 * What is logged is up to the caller; this never logs a message's text, which can hold a live link.
 */
export function createSmtpMailer(options: { url: string; from: string }): Mailer {
  const transport = nodemailer.createTransport(options.url);
  return {
    delivers: true,
    async send(message) {
      await transport.sendMail({ from: options.from, to: message.to, subject: message.subject, text: message.text });
    },
  };
}

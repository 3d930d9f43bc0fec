import type { Env } from '@/lib/env';
import { log } from '@/lib/log';
import { createSmtpMailer } from './smtp';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
  /** True when messages reach their inbox (a mail transport is configured): only then can sign-ups be confirmed by email. */
  readonly delivers?: boolean;
}

/** SMTP when SMTP_URL is set; otherwise nothing is sent (see createLogMailer). */
export function createMailer(env: Env): Mailer {
  if (env.SMTP_URL) return createSmtpMailer({ url: env.SMTP_URL, from: env.MAIL_FROM });
  return createLogMailer({ developmentLinks: env.NODE_ENV === 'development' });
}

/**
 * No mail service configured: the log records that a message was due, never its text. Messages carry live secrets
 * (a reset link signs in as its owner), and production logs travel to places anyone with log access can read. On a
 * developer's own machine (`developmentLinks`, i.e. NODE_ENV=development) the message is printed whole, so the
 * embedded default's password reset still works without a mail service.
 */
export function createLogMailer(options: { developmentLinks?: boolean } = {}): Mailer {
  return {
    async send(message) {
      if (options.developmentLinks) {
        log.warn('email not sent (development: shown here instead)', { to: message.to, subject: message.subject, text: message.text });
        return;
      }
      log.warn('email not sent: no mail service configured', { to: message.to, subject: message.subject, hasLink: /https?:\/\//.test(message.text) });
    },
  };
}

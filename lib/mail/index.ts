import { log } from '@/lib/log';

export interface Mailer {
  send(message: { to: string; subject: string; text: string }): Promise<void>;
}

/** No mail service configured: messages go to the server log, where the operator can read the link. */
export function createLogMailer(): Mailer {
  return {
    async send(message) {
      log.info('email (no mail service configured; delivered to the log)', { to: message.to, subject: message.subject, text: message.text });
    },
  };
}

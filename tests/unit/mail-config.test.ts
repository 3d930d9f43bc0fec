import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnv } from '@/lib/env';
import { createMailer } from '@/lib/mail';

describe('mail transport configuration', () => {
  it('delivers (so sign-ups need confirmation) only when SMTP_URL is set', () => {
    expect(createMailer(parseEnv({})).delivers ?? false).toBe(false);
    expect(createMailer(parseEnv({ SMTP_URL: 'smtp://127.0.0.1:2525' })).delivers).toBe(true);
  });

  it('refuses SMTP_URL in production without APP_URL, where links would have no trusted origin', () => {
    expect(() => parseEnv({ NODE_ENV: 'production', SMTP_URL: 'smtp://mail.example.com:587' })).toThrow(ConfigError);
    expect(() => parseEnv({ NODE_ENV: 'production', SMTP_URL: 'smtp://mail.example.com:587', APP_URL: 'https://app.example.com' })).not.toThrow();
  });
});

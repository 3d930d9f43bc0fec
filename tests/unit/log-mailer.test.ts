import { afterEach, describe, expect, it, vi } from 'vitest';
import { log } from '@/lib/log';
import { createLogMailer } from '@/lib/mail';

afterEach(() => vi.restoreAllMocks());

describe('log mailer (no mail service configured)', () => {
  it('logs who gets which message and that it holds a link, never the message or its token', async () => {
    const lines: unknown[] = [];
    for (const level of ['debug', 'info', 'warn', 'error'] as const) vi.spyOn(log, level).mockImplementation((...args) => void lines.push(args));
    await createLogMailer().send({
      to: 'someone@example.com',
      subject: 'Reset your Memory Layer password',
      text: 'Set a new password here: https://app.example.com/reset-password?token=LiveSecretToken_123',
    });
    const logged = JSON.stringify(lines);
    expect(logged).not.toContain('LiveSecretToken_123');
    expect(lines).toHaveLength(1);
    expect(logged).toContain('someone@example.com');
    expect(logged).toContain('Reset your Memory Layer password');
    expect(logged).toMatch(/"hasLink":true/);
    expect(logged).not.toContain('reset-password');
  });
});

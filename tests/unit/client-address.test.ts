import { describe, expect, it } from 'vitest';
import { clientAddressOf } from '@/lib/auth/client-address';

const headers = (values: Record<string, string>) => new Headers(values);

describe('clientAddressOf', () => {
  it('takes the X-Forwarded-For hop the nearest proxy added (the last), not what the client wrote', () => {
    expect(clientAddressOf(headers({ 'x-forwarded-for': '10.0.0.1, 203.0.113.9' }), 1)).toBe('203.0.113.9');
    expect(clientAddressOf(headers({ 'x-forwarded-for': ' 203.0.113.9 ' }), 1)).toBe('203.0.113.9');
  });

  it('counts TRUSTED_PROXY_HOPS from the right', () => {
    expect(clientAddressOf(headers({ 'x-forwarded-for': 'forged, 198.51.100.4, 10.1.1.1' }), 2)).toBe('198.51.100.4');
    expect(clientAddressOf(headers({ 'x-forwarded-for': '198.51.100.4' }), 3)).toBe('198.51.100.4');
  });

  it('falls back to X-Real-IP, else no address', () => {
    expect(clientAddressOf(headers({ 'x-real-ip': '198.51.100.5' }), 1)).toBe('198.51.100.5');
    expect(clientAddressOf(headers({ 'x-forwarded-for': ' , ' }), 1)).toBeNull();
    expect(clientAddressOf(headers({}), 1)).toBeNull();
  });
});

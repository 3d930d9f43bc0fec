import { describe, expect, it } from 'vitest';
import { OPERATIONS } from '@/lib/api/operations';
import nextConfig from '@/next.config';

// Next buffers bodies for the proxy (proxy.ts) up to experimental.proxyClientMaxBodySize and passes on only that much
// (default 10 MB): the import's documented 50 MB arrived cut at 10 MB.
describe('request bodies through the proxy', () => {
  it('reach every route whole up to its own limit, and one byte more so an oversized body gets the route 413', () => {
    const largest = Math.max(...Object.values(OPERATIONS).map((operation) => ('textBody' in operation && operation.textBody?.maxBytes) || 0));
    expect(largest).toBe(50 * 1024 * 1024);
    expect(nextConfig.experimental?.proxyClientMaxBodySize).toBe(largest + 1);
  });
});

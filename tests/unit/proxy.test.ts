import { NextRequest } from 'next/server';
import { describe, expect, it } from 'vitest';
import { proxy } from '@/proxy';

const rewriteOf = (path: string, method = 'POST') => proxy(new NextRequest(`http://localhost:3000${path}`, { method })).headers.get('x-middleware-rewrite');

describe('proxy', () => {
  it.each([
    ['/v1/memory/', '/api/v1/memory'],
    ['/v1/memory', '/api/v1/memory'],
    ['/v1/memory/search', '/api/v1/memory/search'],
    ['/api/v1/memory/', '/api/v1/memory'],
    ['/v1/keys/abc/revoke/', '/api/v1/keys/abc/revoke'],
    ['/auth/v1/signup/', '/auth/v1/signup'],
  ])('rewrites %s to %s without a redirect', (from, to) => {
    expect(new URL(rewriteOf(from)!).pathname).toBe(to);
  });
  it('leaves canonical paths and pages alone', () => {
    expect(rewriteOf('/api/v1/memory')).toBeNull();
    expect(rewriteOf('/dashboard', 'GET')).toBeNull();
  });
  it('keeps the query string', () => {
    expect(new URL(rewriteOf('/v1/memory/?limit=20&offset=0', 'GET')!).search).toBe('?limit=20&offset=0');
  });
});

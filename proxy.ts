import { NextResponse, type NextRequest } from 'next/server';

// Every API path answers under /api/v1/… and /v1/…, with or without a trailing slash, for every method.
// Rewrites (not redirects) keep POST bodies intact.
export function proxy(request: NextRequest) {
  const { pathname } = request.nextUrl;
  let target = pathname;
  if (target.startsWith('/v1/') || target === '/v1') target = `/api${target}`;
  if (target.length > 1 && target.endsWith('/') && (target.startsWith('/api/') || target.startsWith('/auth/v1/'))) {
    target = target.replace(/\/+$/, '');
  }
  if (target === pathname) return NextResponse.next();
  return NextResponse.rewrite(new URL(`${target}${request.nextUrl.search}`, request.url));
}

export const config = {
  matcher: ['/v1', '/v1/:path*', '/api/:path*', '/auth/v1/:path*'],
};

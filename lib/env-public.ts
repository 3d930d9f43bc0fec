// The browser's configuration. Next.js inlines NEXT_PUBLIC_* at build time only when read literally, so this is
// the one client-side reader of process.env (lib/env.ts is the server's).
export const publicEnv = {
  supabaseUrl: process.env.NEXT_PUBLIC_SUPABASE_URL || undefined,
  supabaseAnonKey: process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY || undefined,
};

/** One cookie name in both auth modes, so the proxy and server code can find the session. */
export const SESSION_COOKIE = 'sb-memory-layer-auth-token';

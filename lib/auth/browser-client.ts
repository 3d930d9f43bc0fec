'use client';
import { createBrowserClient } from '@supabase/ssr';
import type { SupabaseClient } from '@supabase/supabase-js';
import { publicEnv, SESSION_COOKIE } from '@/lib/env-public';

let client: SupabaseClient | undefined;

/**
 * Supabase Auth in the browser. Without Supabase configured, the same client talks to this app's own
 * /auth/v1 endpoints (the built-in local auth), so the dashboard has one code path.
 */
export function getSupabase(): SupabaseClient {
  client ??= createBrowserClient(publicEnv.supabaseUrl ?? window.location.origin, publicEnv.supabaseAnonKey ?? 'local', {
    cookieOptions: { name: SESSION_COOKIE, sameSite: 'lax', secure: window.location.protocol === 'https:' },
    isSingleton: true,
  });
  return client;
}

export async function getAccessToken(): Promise<string | undefined> {
  const { data } = await getSupabase().auth.getSession();
  return data.session?.access_token;
}

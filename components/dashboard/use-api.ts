'use client';
import { useRouter } from 'next/navigation';
import { useCallback } from 'react';
import { getAccessToken } from '@/lib/auth/browser-client';

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly requestId: string | null,
  ) {
    super(message);
  }
}

function messageOf(status: number, body: unknown): string {
  const value = body as { detail?: string; message?: string; details?: { loc: unknown[]; msg: string }[] } | undefined;
  if (value?.details?.length) return value.details.map((d) => `${d.loc.slice(1).join('.')}: ${d.msg}`).join('; ');
  return value?.detail ?? value?.message ?? `Request failed (${status})`;
}

/** The dashboard calls the same public API as customers, with the session JWT as its Bearer token. */
export function useApi() {
  const router = useRouter();
  return useCallback(async <T,>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> => {
    const token = await getAccessToken();
    if (!token) {
      router.replace('/login');
      throw new ApiRequestError(401, 'Signed out', null);
    }
    const response = await fetch(path, {
      method: init.method ?? 'GET',
      headers: { Authorization: `Bearer ${token}`, ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    });
    const body: unknown = response.status === 204 ? undefined : await response.json().catch(() => undefined);
    if (!response.ok) throw new ApiRequestError(response.status, messageOf(response.status, body), response.headers.get('x-request-id'));
    return body as T;
  }, [router]);
}

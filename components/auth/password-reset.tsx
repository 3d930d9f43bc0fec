'use client';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useState, type FormEvent, type ReactNode } from 'react';
import { getSupabase } from '@/lib/auth/browser-client';
import { Alert, Button, Input, Label } from '@/components/ui/primitives';

function Frame({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm space-y-4 rounded-lg bg-white p-6 shadow-sm ring-1 ring-slate-200">
        <h1 className="text-xl font-semibold">{title}</h1>
        {children}
        <p className="text-center text-sm"><Link className="text-brand-600 hover:underline" href="/login">Back to sign in</Link></p>
      </div>
    </main>
  );
}

/** Asks for a reset link (Supabase Auth emails it; the built-in auth prints it to the server log in development, until a mail service is wired in). */
export function ForgotPasswordForm() {
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const email = String(new FormData(event.currentTarget).get('email') ?? '');
    const { error: authError } = await getSupabase().auth.resetPasswordForEmail(email, { redirectTo: `${window.location.origin}/reset-password` });
    if (authError) setError(authError.message);
    else setSent(true);
  }
  return (
    <Frame title="Reset your password">
      {sent ? (
        <Alert tone="success" testId="reset-sent">If an account exists for that email, a reset link is on its way. It is valid for one hour.</Alert>
      ) : (
        <form onSubmit={onSubmit} className="space-y-4">
          <div>
            <Label htmlFor="email">Email</Label>
            <Input id="email" name="email" type="email" autoComplete="email" required data-testid="reset-email" />
          </div>
          {error && <Alert>{error}</Alert>}
          <Button type="submit" className="w-full" data-testid="reset-request">Send reset link</Button>
        </form>
      )}
    </Frame>
  );
}

/** Sets the new password: with the built-in auth's ?token=…, or Supabase's recovery session otherwise. */
export function ResetPasswordForm() {
  const params = useSearchParams();
  const router = useRouter();
  const token = params.get('token');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const password = String(new FormData(event.currentTarget).get('password') ?? '');
    setBusy(true);
    setError(null);
    let message: string | null = null;
    if (token) {
      const res = await fetch('/auth/v1/reset', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, password }) });
      if (!res.ok) message = ((await res.json().catch(() => ({}))) as { msg?: string }).msg ?? 'Could not reset the password.';
    } else {
      const { error: authError } = await getSupabase().auth.updateUser({ password });
      message = authError?.message ?? null;
    }
    setBusy(false);
    if (message) return setError(message);
    router.replace('/login?reset=1');
  }
  return (
    <Frame title="Choose a new password">
      <form onSubmit={onSubmit} className="space-y-4">
        <div>
          <Label htmlFor="password">New password</Label>
          <Input id="password" name="password" type="password" autoComplete="new-password" minLength={8} required data-testid="reset-password" />
          <p className="mt-1 text-xs text-slate-500">At least 8 characters. Every signed-in session will be signed out, and API keys you created are revoked.</p>
        </div>
        {error && <Alert testId="reset-error">{error}</Alert>}
        <Button type="submit" className="w-full" disabled={busy} data-testid="reset-submit">{busy ? 'Saving…' : 'Set password'}</Button>
      </form>
    </Frame>
  );
}

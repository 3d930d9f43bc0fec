'use client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { getSupabase } from '@/lib/auth/browser-client';
import { Alert, Button, Input, Label } from '@/components/ui/primitives';

/** Sign-up and sign-in through supabase-js: Supabase Auth when configured, the built-in local auth otherwise. */
export function AuthForm({ mode }: { mode: 'signin' | 'signup' }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get('email') ?? '');
    const password = String(form.get('password') ?? '');
    setBusy(true);
    setError(null);
    setNotice(null);
    const auth = getSupabase().auth;
    const { data, error: authError } =
      mode === 'signup' ? await auth.signUp({ email, password }) : await auth.signInWithPassword({ email, password });
    setBusy(false);
    if (authError) return setError(authError.message);
    if (!data.session) return setNotice('Check your inbox to confirm your email, then sign in.');
    router.replace('/dashboard');
    router.refresh();
  }

  const title = mode === 'signup' ? 'Create your account' : 'Sign in to Memory Layer';
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm">
        <Link href="/" className="mb-8 block text-center text-lg font-semibold text-brand-700">
          Memory Layer
        </Link>
        <form onSubmit={onSubmit} className="space-y-4 rounded-lg bg-white p-6 shadow-sm ring-1 ring-slate-200" noValidate={false}>
          <h1 className="text-xl font-semibold">{title}</h1>
          <div>
            <Label htmlFor="email">Email</Label>
            <Input id="email" name="email" type="email" autoComplete="email" required data-testid="auth-email" />
          </div>
          <div>
            <Label htmlFor="password">Password</Label>
            <Input
              id="password"
              name="password"
              type="password"
              autoComplete={mode === 'signup' ? 'new-password' : 'current-password'}
              minLength={mode === 'signup' ? 8 : undefined}
              required
              data-testid="auth-password"
            />
            {mode === 'signup' ? (
              <p className="mt-1 text-xs text-slate-500">At least 8 characters.</p>
            ) : (
              <p className="mt-1 text-right text-xs"><Link className="text-brand-600 hover:underline" href="/forgot-password" data-testid="forgot-password">Forgot your password?</Link></p>
            )}
          </div>
          {error && <Alert testId="auth-error">{error}</Alert>}
          {notice && <Alert tone="info">{notice}</Alert>}
          <Button type="submit" className="w-full" disabled={busy} data-testid="auth-submit">
            {busy ? 'Please wait…' : mode === 'signup' ? 'Sign up' : 'Sign in'}
          </Button>
          <p className="text-center text-sm text-slate-600">
            {mode === 'signup' ? (
              <>
                Already have an account? <Link className="font-medium text-brand-600 hover:underline" href="/login">Sign in</Link>
              </>
            ) : (
              <>
                New here? <Link className="font-medium text-brand-600 hover:underline" href="/signup">Create an account</Link>
              </>
            )}
          </p>
        </form>
      </div>
    </main>
  );
}

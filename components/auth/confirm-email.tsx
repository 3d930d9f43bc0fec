'use client';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { getSupabase } from '@/lib/auth/browser-client';
import { Alert, Button, Input, Label } from '@/components/ui/primitives';

/**
 * Completes a sign-up from the emailed link (?token_hash=…&type=signup, the shape of Supabase's own templates). The
 * link is used on a click, not on load: mail scanners that open links would otherwise spend the one-use token.
 */
export function ConfirmEmail() {
  const params = useSearchParams();
  const router = useRouter();
  const tokenHash = params.get('token_hash') ?? params.get('token');
  const [error, setError] = useState<string | null>(tokenHash ? null : 'This confirmation link is incomplete. Ask for a new one below.');
  const [busy, setBusy] = useState(false);
  const [resent, setResent] = useState(false);

  async function confirm() {
    if (!tokenHash) return;
    setBusy(true);
    setError(null);
    const { data, error: authError } = await getSupabase().auth.verifyOtp({ token_hash: tokenHash, type: 'email' });
    setBusy(false);
    if (authError || !data.session) return setError(authError?.message ?? 'Email link is invalid or has expired');
    router.replace('/dashboard');
    router.refresh();
  }

  async function resend(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const email = String(new FormData(event.currentTarget).get('email') ?? '');
    const { error: authError } = await getSupabase().auth.resend({ type: 'signup', email });
    if (authError) setError(authError.message);
    else setResent(true);
  }

  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm space-y-4 rounded-lg bg-white p-6 shadow-sm ring-1 ring-slate-200">
        <h1 className="text-xl font-semibold">Confirm your email</h1>
        {tokenHash && (
          <Button type="button" className="w-full" disabled={busy} onClick={confirm} data-testid="confirm-email">
            {busy ? 'Confirming…' : 'Confirm and sign in'}
          </Button>
        )}
        {error && <Alert testId="confirm-error">{error}</Alert>}
        {error &&
          (resent ? (
            <Alert tone="success" testId="confirm-resent">If a sign-up is waiting for that email, a new link is on its way.</Alert>
          ) : (
            <form onSubmit={resend} className="space-y-2">
              <Label htmlFor="email">Email</Label>
              <Input id="email" name="email" type="email" autoComplete="email" required data-testid="confirm-resend-email" />
              <Button type="submit" className="w-full" data-testid="confirm-resend">Send a new link</Button>
            </form>
          ))}
        <p className="text-center text-sm"><Link className="text-brand-600 hover:underline" href="/login">Back to sign in</Link></p>
      </div>
    </main>
  );
}

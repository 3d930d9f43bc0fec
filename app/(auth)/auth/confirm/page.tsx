import type { Metadata } from 'next';
import { Suspense } from 'react';
import { ConfirmEmail } from '@/components/auth/confirm-email';

export const metadata: Metadata = { title: 'Confirm your email' };

export default function Page() {
  return (
    <Suspense>
      <ConfirmEmail />
    </Suspense>
  );
}

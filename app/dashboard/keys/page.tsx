import type { Metadata } from 'next';
import { KeysPage } from '@/components/dashboard/keys-page';

export const metadata: Metadata = { title: 'API Keys' };

export default function Page() {
  return <KeysPage />;
}

import type { Metadata } from 'next';
import { DataPage } from '@/components/dashboard/data-page';

export const metadata: Metadata = { title: 'Import & export' };

export default function Page() {
  return <DataPage />;
}

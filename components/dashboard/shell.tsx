'use client';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, useState, type ReactNode } from 'react';
import { getSupabase } from '@/lib/auth/browser-client';
import { Button, Spinner } from '@/components/ui/primitives';

const NAV = [
  { href: '/dashboard', label: 'Overview' },
  { href: '/dashboard/keys', label: 'API Keys' },
  { href: '/dashboard/memories', label: 'Memories' },
  { href: '/dashboard/playground', label: 'Playground' },
  { href: '/dashboard/data', label: 'Data' },
  { href: '/dashboard/maintenance', label: 'Maintenance' },
  { href: '/dashboard/billing', label: 'Billing' },
  { href: '/docs', label: 'API Docs' },
];

/** Sidebar layout; sends signed-out visitors to /login. */
export function DashboardShell({ children }: { children: ReactNode }) {
  const router = useRouter();
  const pathname = usePathname();
  const [email, setEmail] = useState<string | null>(null);

  useEffect(() => {
    const auth = getSupabase().auth;
    void auth.getSession().then(({ data }) => {
      if (!data.session) router.replace('/login');
      else setEmail(data.session.user.email ?? '');
    });
    const { data } = auth.onAuthStateChange((_event, session) => {
      if (!session) router.replace('/login');
    });
    return () => data.subscription.unsubscribe();
  }, [router]);

  async function signOut() {
    await getSupabase().auth.signOut();
    router.replace('/login');
  }

  if (email === null) {
    return (
      <div className="flex min-h-screen items-center justify-center">
        <Spinner />
      </div>
    );
  }

  return (
    <div className="min-h-screen md:flex">
      <aside className="border-b border-slate-200 bg-white md:min-h-screen md:w-60 md:border-r md:border-b-0">
        <div className="flex items-center justify-between px-5 py-4">
          <Link href="/dashboard" className="font-semibold text-brand-700">
            Memory Layer
          </Link>
        </div>
        <nav aria-label="Dashboard" className="flex gap-1 overflow-x-auto px-3 pb-3 md:flex-col">
          {NAV.map((item) => {
            const active = item.href === '/dashboard' ? pathname === item.href : pathname.startsWith(item.href);
            return (
              <Link
                key={item.href}
                href={item.href}
                data-testid={`nav-${item.label.toLowerCase().replace(/\s+/g, '-')}`}
                aria-current={active ? 'page' : undefined}
                className={`whitespace-nowrap rounded-md px-3 py-2 text-sm font-medium ${active ? 'bg-brand-50 text-brand-700' : 'text-slate-600 hover:bg-slate-100'}`}
              >
                {item.label}
              </Link>
            );
          })}
        </nav>
        <div className="hidden px-5 py-4 text-xs text-slate-500 md:block">
          <p className="truncate" data-testid="signed-in-email">{email}</p>
          <Button variant="ghost" className="mt-2 -ml-3" onClick={signOut} data-testid="sign-out">
            Sign out
          </Button>
        </div>
      </aside>
      <main className="flex-1 px-4 py-6 md:px-10 md:py-8">
        <div className="md:hidden mb-4 flex justify-end">
          <Button variant="ghost" onClick={signOut}>Sign out</Button>
        </div>
        {children}
      </main>
    </div>
  );
}

import Link from 'next/link';
import { listGuides } from './guides';

// The docs share one header: the API reference, then every guide in reading order.
export default function DocsLayout({ children }: { children: React.ReactNode }) {
  const guides = listGuides();
  return (
    <div className="min-h-screen bg-white">
      <header className="sticky top-0 z-20 h-[57px] border-b border-slate-200 bg-white/95 backdrop-blur">
        <nav className="mx-auto flex h-full items-center gap-5 overflow-x-auto px-4 text-sm whitespace-nowrap" aria-label="Docs" data-testid="docs-nav">
          <Link href="/" className="font-semibold text-brand-700">Memory Layer</Link>
          <Link href="/docs" className="font-medium text-slate-900 hover:text-brand-700">API reference</Link>
          <Link href="/docs/guides" className="font-medium text-slate-900 hover:text-brand-700">Guides</Link>
          <span className="h-4 w-px bg-slate-200" aria-hidden />
          {guides.map((guide) => (
            <Link key={guide.slug} href={`/docs/guides/${guide.slug}`} className="text-slate-600 hover:text-brand-700">
              {guide.title}
            </Link>
          ))}
          <Link href="/dashboard" className="ml-auto rounded-md bg-brand-600 px-3 py-1.5 font-medium text-white hover:bg-brand-700">Dashboard</Link>
        </nav>
      </header>
      {children}
    </div>
  );
}

import type { Metadata } from 'next';
import Link from 'next/link';
import { listGuides } from '../guides';

export const metadata: Metadata = { title: 'Guides' };

/** The first paragraph of a guide, as its summary on the index. */
const summaryOf = (body: string) => body.split(/\n\s*\n/).find((block) => block.trim() && !/^[#`|>-]/.test(block.trim()))?.replace(/\s+/g, ' ').trim() ?? '';

export default function GuidesIndexPage() {
  const guides = listGuides();
  return (
    <main className="mx-auto max-w-3xl px-4 py-10">
      <h1 className="text-3xl font-semibold tracking-tight">Guides</h1>
      <p className="mt-2 text-slate-600">
        How to use Memory Layer from your app. Every endpoint, with try-it, is in the <Link href="/docs" className="text-brand-600 hover:underline">API reference</Link>.
      </p>
      <ul className="mt-8 divide-y divide-slate-200" data-testid="guides-index">
        {guides.map((guide) => (
          <li key={guide.slug} className="py-4">
            <Link href={`/docs/guides/${guide.slug}`} className="text-lg font-medium text-brand-700 hover:underline" data-testid="guide-link">
              {guide.title}
            </Link>
            <p className="mt-1 line-clamp-2 text-sm text-slate-600">{summaryOf(guide.body)}</p>
          </li>
        ))}
      </ul>
    </main>
  );
}

import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Markdown } from '@/components/docs/markdown';
import { findGuide, listGuides } from '../../guides';

// Guides are rendered at build time; an unknown slug is a 404.
export const dynamicParams = false;

export function generateStaticParams() {
  return listGuides().map(({ slug }) => ({ slug }));
}

export async function generateMetadata({ params }: { params: Promise<{ slug: string }> }): Promise<Metadata> {
  const guide = findGuide((await params).slug);
  return guide ? { title: guide.title } : {};
}

export default async function GuidePage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const guides = listGuides();
  const index = guides.findIndex((guide) => guide.slug === slug);
  const guide = guides[index];
  if (!guide) notFound();
  const previous = guides[index - 1];
  const next = guides[index + 1];
  return (
    <main className="mx-auto max-w-3xl px-4 py-10">
      <Link href="/docs/guides" className="text-sm text-slate-500 hover:text-brand-700">← Guides</Link>
      <article data-testid="guide">
        <h1 className="mt-4 text-3xl font-semibold tracking-tight" data-testid="guide-title">{guide.title}</h1>
        <Markdown source={guide.body} />
      </article>
      <nav className="mt-12 flex justify-between border-t border-slate-200 pt-6 text-sm" aria-label="Previous and next guide">
        {previous ? <Link href={`/docs/guides/${previous.slug}`} className="text-brand-600 hover:underline">← {previous.title}</Link> : <span />}
        {next ? <Link href={`/docs/guides/${next.slug}`} className="text-brand-600 hover:underline">{next.title} →</Link> : <span />}
      </nav>
    </main>
  );
}

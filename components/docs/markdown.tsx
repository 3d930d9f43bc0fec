import Link from 'next/link';
import type { ComponentProps, ReactNode } from 'react';
import ReactMarkdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import { headingId } from '@/app/docs/guides';

/** The plain text of rendered children, for heading anchors. */
function textOf(node: ReactNode): string {
  if (typeof node === 'string' || typeof node === 'number') return String(node);
  if (Array.isArray(node)) return node.map(textOf).join('');
  if (node && typeof node === 'object' && 'props' in node) return textOf((node.props as { children?: ReactNode }).children);
  return '';
}

const anchorOf = (children: ReactNode) => headingId(textOf(children));

function DocLink({ href = '', children, ...rest }: ComponentProps<'a'>) {
  const className = 'font-medium text-brand-600 underline decoration-brand-600/30 underline-offset-2 hover:decoration-brand-600';
  // Guides and the reference are pages of this app; API paths and outside links are plain links.
  if (href.startsWith('/docs')) return <Link href={href} className={className}>{children}</Link>;
  const external = /^https?:\/\//.test(href);
  return <a href={href} className={className} {...(external ? { target: '_blank', rel: 'noreferrer' } : {})} {...rest}>{children}</a>;
}

const COMPONENTS: Components = {
  h1: ({ children }) => <h1 className="mt-10 text-3xl font-semibold tracking-tight">{children}</h1>,
  h2: ({ children }) => <h2 id={anchorOf(children)} className="mt-10 scroll-mt-20 border-b border-slate-200 pb-1 text-xl font-semibold">{children}</h2>,
  h3: ({ children }) => <h3 id={anchorOf(children)} className="mt-8 scroll-mt-20 text-lg font-semibold">{children}</h3>,
  h4: ({ children }) => <h4 className="mt-6 font-semibold">{children}</h4>,
  p: ({ children }) => <p className="mt-4 leading-7 text-slate-700">{children}</p>,
  a: ({ node: _node, ...props }) => <DocLink {...props} />, // eslint-disable-line @typescript-eslint/no-unused-vars
  ul: ({ children }) => <ul className="mt-4 list-disc space-y-1 pl-6 text-slate-700">{children}</ul>,
  ol: ({ children }) => <ol className="mt-4 list-decimal space-y-1 pl-6 text-slate-700">{children}</ol>,
  li: ({ children }) => <li className="leading-7">{children}</li>,
  blockquote: ({ children }) => <blockquote className="mt-4 border-l-4 border-brand-500 bg-brand-50 px-4 py-1 text-slate-700">{children}</blockquote>,
  hr: () => <hr className="my-8 border-slate-200" />,
  // Fenced blocks: the <pre> carries the dark panel; inline code a light chip.
  pre: ({ children }) => <pre className="mt-4 overflow-x-auto rounded-lg bg-slate-900 p-4 text-[13px] leading-6 text-slate-100" data-testid="guide-code">{children}</pre>,
  code: ({ className, children }) =>
    className?.startsWith('language-') || String(children).includes('\n') ? (
      <code className={className}>{children}</code>
    ) : (
      <code className="rounded bg-slate-100 px-1 py-0.5 font-mono text-[0.9em] text-slate-800">{children}</code>
    ),
  table: ({ children }) => (
    <div className="mt-4 overflow-x-auto">
      <table className="w-full border-collapse text-left text-sm">{children}</table>
    </div>
  ),
  thead: ({ children }) => <thead className="border-b border-slate-300 text-slate-900">{children}</thead>,
  th: ({ children }) => <th className="px-3 py-2 font-semibold">{children}</th>,
  td: ({ children }) => <td className="border-t border-slate-100 px-3 py-2 align-top text-slate-700">{children}</td>,
};

/** A guide's Markdown (GitHub flavour: tables, task lists, autolinks), rendered on the server. */
export function Markdown({ source }: { source: string }) {
  return (
    <ReactMarkdown remarkPlugins={[remarkGfm]} components={COMPONENTS}>
      {source}
    </ReactMarkdown>
  );
}

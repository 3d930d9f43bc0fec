import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GUIDE_ORDER, GUIDES_DIR, guidesFrom, headingId, listGuides, orderSlugs, parseGuide, type Guide } from '@/app/docs/guides';
import { ALL_OPERATIONS } from '@/lib/api/operations';

/** The target of every Markdown link outside fenced code: inline `[text](/x)` and reference `[id]: /x`. */
function linkTargets(markdown: string): string[] {
  const prose: string[] = [];
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    else if (!fenced) prose.push(line.replace(/`[^`]*`/g, ''));
  }
  const text = prose.join('\n');
  return [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g), ...text.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/gm)].map((match) => match[1]!);
}

const templateOf = (operationPath: string) =>
  new RegExp(`^${operationPath.replace(/\/+$/, '').replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}/?$`);
const API_PATHS = ALL_OPERATIONS.map((operation) => templateOf(operation.path));

/** Why an internal link of a guide points nowhere, or null when it points at a guide, a heading of it, or an API path. */
function brokenLink(target: string, guides: Guide[]): string | null {
  const [pathPart = '', anchor] = target.split('#');
  const pathname = pathPart.split('?')[0]!;
  if (pathname === '/docs' || pathname === '/docs/guides' || pathname === '/docs/guides/') return null;
  if (pathname.startsWith('/docs/guides/')) {
    const guide = guides.find((candidate) => candidate.slug === pathname.slice('/docs/guides/'.length).replace(/\/$/, ''));
    if (!guide) return `no guide at ${pathname}`;
    if (anchor && !headingsOf(guide).includes(anchor)) return `no heading #${anchor} in ${guide.slug}`;
    return null;
  }
  if (pathname.startsWith('/docs')) return `no docs page at ${pathname}`;
  const apiPath = pathname.replace(/^\/api(?=\/v1\/)/, '');
  if (apiPath.startsWith('/v1')) return API_PATHS.some((pattern) => pattern.test(apiPath)) ? null : `no operation at ${pathname}`;
  return null;
}

const headingsOf = (guide: Guide) => [...guide.body.matchAll(/^#{2,3} (.+)$/gm)].map((match) => headingId(match[1]!.replace(/`/g, '')));

describe('docs/guides', () => {
  const files = fs.readdirSync(GUIDES_DIR).filter((name) => name.endsWith('.md'));
  const guides = listGuides();

  it('renders every docs/guides/*.md, the five core guides among them', () => {
    expect(guides.map((guide) => `${guide.slug}.md`).sort()).toEqual([...files].sort());
    for (const slug of ['quick-start', 'store-vs-ingest', 'context-with-any-llm', 'errors-and-limits', 'migrating']) expect(files).toContain(`${slug}.md`);
  });

  it.each(files)('%s starts with a "# " title', (file) => {
    const markdown = fs.readFileSync(path.join(GUIDES_DIR, file), 'utf8');
    expect(markdown.split('\n').find((line) => line.trim() !== '')).toMatch(/^# \S/);
    const guide = guides.find((candidate) => `${candidate.slug}.md` === file)!;
    expect(guide.title.length).toBeGreaterThan(2);
  });

  it.each(files)('%s links only to guides, their headings and API paths that exist', (file) => {
    const markdown = fs.readFileSync(path.join(GUIDES_DIR, file), 'utf8');
    const broken = linkTargets(markdown)
      .filter((target) => target.startsWith('/'))
      .map((target) => brokenLink(target, guides))
      .filter(Boolean);
    expect(broken).toEqual([]);
  });

  it('the link check finds broken links (and not the ones inside code)', () => {
    const markdown = [
      '# T',
      'See [a](/docs/guides/nope), [b](/v1/nowhere), [c](/docs/guides/quick-start#no-such-heading), [d](/docs/api).',
      'Fine: [e](/v1/memory/abc/restore), [f](/api/v1/memory/search), [g](/docs#tag/memory), [h](/docs/guides/quick-start#2-store-a-memory).',
      '[ref]: /v1/also-nowhere',
      '```',
      '[in code](/v1/ignored)',
      '```',
      'Inline `[x](/v1/ignored-too)` too.',
    ].join('\n');
    const broken = linkTargets(markdown).map((target) => brokenLink(target, guides));
    expect(broken).toEqual([
      'no guide at /docs/guides/nope',
      'no operation at /v1/nowhere',
      'no heading #no-such-heading in quick-start',
      'no docs page at /docs/api',
      null,
      null,
      null,
      null,
      'no operation at /v1/also-nowhere',
    ]);
  });
});

describe('guide order and titles', () => {
  it('puts known guides in reading order, then others alphabetically', () => {
    expect(orderSlugs(['zebra', 'migrating', 'alpha', 'quick-start', 'mcp', 'errors-and-limits'])).toEqual(['quick-start', 'mcp', 'errors-and-limits', 'migrating', 'alpha', 'zebra']);
    expect(GUIDE_ORDER.slice(0, 3)).toEqual(['quick-start', 'store-vs-ingest', 'context-with-any-llm']);
  });

  it('takes the first "# " line as the title and refuses a guide without one', () => {
    expect(parseGuide('x', '\n# Hello world \n\nBody\n## Part')).toEqual({ slug: 'x', title: 'Hello world', body: 'Body\n## Part' });
    expect(() => parseGuide('x', '## Only a subheading\ntext')).toThrow(/x\.md has no "# " title/);
  });

  it('lists the .md files of a folder as guides, in reading order', () => {
    const files: [string, string][] = [['zz-extra.md', '# Extra\n'], ['migrating.md', '# Migrating\n'], ['notes.txt', 'not a guide'], ['quick-start.md', '# Quick start\n']];
    expect(guidesFrom(files).map((guide) => [guide.slug, guide.title])).toEqual([['quick-start', 'Quick start'], ['migrating', 'Migrating'], ['zz-extra', 'Extra']]);
  });

  it('gives headings the ids that anchors use', () => {
    expect(headingId('2. Store a memory')).toBe('2-store-a-memory');
    expect(headingId('Search ranking: hybrid by default, mode: "semantic"')).toBe('search-ranking-hybrid-by-default-mode-semantic');
  });
});

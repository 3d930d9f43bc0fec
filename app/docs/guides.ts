import fs from 'node:fs';
import path from 'node:path';

export interface Guide {
  slug: string;
  title: string;
  /** The Markdown after the title line. */
  body: string;
}

// Known guides in reading order; any other docs/guides/*.md follows, alphabetically.
export const GUIDE_ORDER = ['quick-start', 'store-vs-ingest', 'context-with-any-llm', 'streaming', 'sdks', 'mcp', 'openai-compatible', 'errors-and-limits', 'migrating'];

export const GUIDES_DIR = path.join(process.cwd(), 'docs', 'guides');

/** The id of a heading, from its text: what `/docs/guides/<slug>#<id>` links point at. */
export const headingId = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

const TITLE_LINE = /^# (.+)$/m;

/** Splits a guide's Markdown into its title (the first `# ` line) and the rest. */
export function parseGuide(slug: string, markdown: string): Guide {
  const match = TITLE_LINE.exec(markdown);
  if (!match) throw new Error(`docs/guides/${slug}.md has no "# " title line`);
  return { slug, title: match[1]!.trim(), body: markdown.slice(match.index + match[0].length).trim() };
}

export function orderSlugs(slugs: string[]): string[] {
  const rank = (slug: string) => (GUIDE_ORDER.includes(slug) ? GUIDE_ORDER.indexOf(slug) : GUIDE_ORDER.length);
  return [...slugs].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Guides from (file name, Markdown) pairs: the .md files only, in reading order. */
export function guidesFrom(files: [name: string, markdown: string][]): Guide[] {
  const bySlug = new Map(files.filter(([name]) => name.endsWith('.md')).map(([name, markdown]) => [name.slice(0, -'.md'.length), markdown]));
  return orderSlugs([...bySlug.keys()]).map((slug) => parseGuide(slug, bySlug.get(slug)!));
}

/** Every docs/guides/*.md, in reading order. The paths are spelled out so the build traces only that folder. */
export function listGuides(): Guide[] {
  const names = fs.existsSync(path.join(process.cwd(), 'docs', 'guides')) ? fs.readdirSync(path.join(process.cwd(), 'docs', 'guides')) : [];
  return guidesFrom(names.filter((name) => name.endsWith('.md')).map((name) => [name, fs.readFileSync(path.join(process.cwd(), 'docs', 'guides', name), 'utf8')]));
}

export function findGuide(slug: string): Guide | undefined {
  return listGuides().find((guide) => guide.slug === slug);
}

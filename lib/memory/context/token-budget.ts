import { encode } from 'gpt-tokenizer';

/** Tokens as OpenAI's o200k_base tokenizer counts them (GPT-4o family); a close proxy for other models. */
export function countTokens(text: string): number {
  return encode(text).length;
}

export interface BudgetLine {
  id: string;
  /** One line of markdown starting with "- " (a list item); no newline inside. */
  text: string;
  /** Lines of one group are shown under one "### group" heading (the memory's date), groups in ascending order. */
  group?: string;
}

export interface BudgetResult {
  text: string;
  tokensUsed: number;
  included: BudgetLine[];
  omitted: BudgetLine[];
}

const heading = (group: string) => `### ${group}\n`;

/**
 * Adds lines in rank order while the whole block (header, group headings, lines) stays within the budget; a line that
 * does not fit is skipped and later, shorter ones are still tried. Each line is tokenised once: the o200k
 * pre-tokenizer never joins text across the end of a line ending in "\n" and a line starting with "- " or "### ", so
 * the block's count is the sum of its lines' counts (the final count is checked). If no line fits, the block is empty.
 */
export function fitToBudget(header: string, lines: BudgetLine[], budget: number, count = countTokens): BudgetResult {
  const included: BudgetLine[] = [];
  const omitted: BudgetLine[] = [];
  const groups = new Set<string>();
  let used = count(header);
  for (const line of lines) {
    const cost = count(`${line.text}\n`) + (line.group !== undefined && !groups.has(line.group) ? count(heading(line.group)) : 0);
    if (used + cost <= budget) {
      included.push(line);
      if (line.group !== undefined) groups.add(line.group);
      used += cost;
    } else {
      omitted.push(line);
    }
  }
  let text = render(header, included);
  let tokensUsed = count(text);
  // The sum above is exact for such lines; should a tokenizer ever disagree, the budget still holds.
  while (included.length > 0 && tokensUsed > budget) {
    omitted.push(included.pop()!);
    text = render(header, included);
    tokensUsed = count(text);
  }
  if (included.length === 0) return { text: '', tokensUsed: 0, included, omitted: lines };
  return { text, tokensUsed, included, omitted };
}

function render(header: string, included: BudgetLine[]): string {
  const ungrouped = included.filter((line) => line.group === undefined);
  const byGroup = new Map<string, BudgetLine[]>();
  for (const line of included) {
    if (line.group === undefined) continue;
    const members = byGroup.get(line.group) ?? [];
    members.push(line);
    byGroup.set(line.group, members);
  }
  const grouped = [...byGroup.keys()].sort().flatMap((group) => [heading(group), ...byGroup.get(group)!.map((line) => `${line.text}\n`)]);
  return header + ungrouped.map((line) => `${line.text}\n`).join('') + grouped.join('');
}

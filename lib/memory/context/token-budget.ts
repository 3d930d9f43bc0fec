import { encode } from 'gpt-tokenizer';

/** Tokens as OpenAI's o200k_base tokenizer counts them (GPT-4o family); a close proxy for other models. */
export function countTokens(text: string): number {
  return encode(text).length;
}

export interface BudgetLine {
  id: string;
  text: string;
}

export interface BudgetResult {
  text: string;
  tokensUsed: number;
  included: BudgetLine[];
  omitted: BudgetLine[];
}

/**
 * Adds lines in rank order while the whole block (header + lines) stays within the budget, counting the real
 * joined text. A line that does not fit is skipped and later, shorter lines are still tried, so nothing that
 * would still fit is left out. If no line fits, the block is empty (not a bare header).
 */
export function fitToBudget(header: string, lines: BudgetLine[], budget: number, count = countTokens): BudgetResult {
  const included: BudgetLine[] = [];
  const omitted: BudgetLine[] = [];
  let text = '';
  let tokensUsed = 0;
  for (const line of lines) {
    const candidate = `${header}${[...included, line].map((l) => l.text).join('\n')}`;
    const tokens = count(candidate);
    if (tokens <= budget) {
      included.push(line);
      text = candidate;
      tokensUsed = tokens;
    } else {
      omitted.push(line);
    }
  }
  return included.length === 0 ? { text: '', tokensUsed: 0, included, omitted: lines } : { text, tokensUsed, included, omitted };
}

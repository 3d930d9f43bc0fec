import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countTokens, fitToBudget } from '@/lib/memory/context/token-budget';

const HEADER = '## What you know about user_123\n';

describe('fitToBudget', () => {
  it('never exceeds the budget and leaves out nothing that would still fit (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 1, maxLength: 120 }), { maxLength: 25 }),
        fc.integer({ min: 0, max: 400 }),
        (texts, budget) => {
          const lines = texts.map((text, i) => ({ id: String(i), text: `- ${text.replace(/\n/g, ' ')}` }));
          const result = fitToBudget(HEADER, lines, budget);
          expect(result.tokensUsed).toBeLessThanOrEqual(budget);
          expect(countTokens(result.text)).toBe(result.tokensUsed);
          expect(result.included.length + result.omitted.length).toBe(lines.length);
          if (result.included.length > 0) {
            for (const line of result.omitted) {
              const withIt = `${HEADER}${[...result.included, line].map((l) => `${l.text}\n`).join('')}`;
              expect(countTokens(withIt)).toBeGreaterThan(budget);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('groups lines under their heading, headings in ascending order, and counts the headings (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 80 }), fc.constantFrom('2023-05-08', '2023-06-01', '2024-01-15')), { maxLength: 25 }),
        fc.integer({ min: 0, max: 400 }),
        (entries, budget) => {
          const lines = entries.map(([text, group], i) => ({ id: String(i), text: `- ${text.replace(/[\r\n]/g, ' ')}`, group }));
          const result = fitToBudget(HEADER, lines, budget);
          expect(result.tokensUsed).toBeLessThanOrEqual(budget);
          expect(countTokens(result.text)).toBe(result.tokensUsed);
          const headings = [...result.text.matchAll(/^### (.+)$/gm)].map((m) => m[1]);
          expect(headings).toEqual([...new Set(result.included.map((l) => l.group))].sort());
          for (const line of result.included) expect(result.text).toContain(`${line.text}\n`);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('tokenises each line once (linear), whatever the number of lines', () => {
    let charactersTokenised = 0;
    const counting = (text: string) => {
      charactersTokenised += text.length;
      return countTokens(text);
    };
    const lines = Array.from({ length: 2_000 }, (_, i) => ({ id: String(i), text: `- memory number ${i}`, group: `2023-01-${String((i % 28) + 1).padStart(2, '0')}` }));
    const result = fitToBudget(HEADER, lines, 100_000, counting);
    // Each line and heading once, plus the final check of the whole block — not the whole block once per candidate.
    expect(result.included).toHaveLength(lines.length);
    expect(charactersTokenised).toBeLessThanOrEqual(3 * result.text.length);
  });

  it('gives an empty block, not an error, when nothing fits', () => {
    expect(fitToBudget(HEADER, [{ id: 'a', text: '- Lives in Bristol' }], 3)).toEqual({ text: '', tokensUsed: 0, included: [], omitted: [{ id: 'a', text: '- Lives in Bristol' }] });
  });

  it('skips a long line and still takes later short ones', () => {
    const lines = [
      { id: 'short1', text: '- Likes tea' },
      { id: 'long', text: `- ${'very long memory '.repeat(50)}` },
      { id: 'short2', text: '- Has a cat' },
    ];
    const result = fitToBudget(HEADER, lines, 40);
    expect(result.included.map((l) => l.id)).toEqual(['short1', 'short2']);
    expect(result.omitted.map((l) => l.id)).toEqual(['long']);
  });
});

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
              const withIt = `${HEADER}${[...result.included, line].map((l) => l.text).join('\n')}`;
              expect(countTokens(withIt)).toBeGreaterThan(budget);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
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

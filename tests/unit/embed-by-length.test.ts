import { describe, expect, it } from 'vitest';
import { embedByLength } from '@/lib/embeddings/by-length';

describe('embedByLength', () => {
  it('sends chunks of similar length and answers in the order of the texts', async () => {
    const texts = ['a much longer text than the rest', 'hi', 'medium text', 'x', 'another long one, quite long', 'mid size'];
    const chunks: string[][] = [];
    const vectors = await embedByLength(texts, 2, async (chunk) => {
      chunks.push(chunk);
      return chunk.map((text) => [text.length, texts.indexOf(text)]);
    });
    expect(vectors).toEqual(texts.map((text, index) => [text.length, index]));
    expect(chunks).toEqual([
      ['x', 'hi'],
      ['mid size', 'medium text'],
      ['another long one, quite long', 'a much longer text than the rest'],
    ]);
  });

  it('calls nothing for no texts', async () => {
    let calls = 0;
    expect(await embedByLength([], 16, async () => (calls++, []))).toEqual([]);
    expect(calls).toBe(0);
  });
});

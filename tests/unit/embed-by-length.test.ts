import { describe, expect, it } from 'vitest';
import { CHUNK_CHARS, MAX_EMBED_CHARS, embedByLength } from '@/lib/embeddings/by-length';

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

  it('embeds a text by its first MAX_EMBED_CHARS characters, and puts at most CHUNK_CHARS characters in one call', async () => {
    const long = 'i like x '.repeat(3_500);
    expect(long.length).toBeGreaterThan(MAX_EMBED_CHARS * 10);
    const texts = [long, long, long, long, long, long, 'short'];
    const chunks: string[][] = [];
    await embedByLength(texts, 16, async (chunk) => {
      chunks.push(chunk);
      return chunk.map(() => [0]);
    });
    expect(chunks.flat().every((text) => text.length <= MAX_EMBED_CHARS)).toBe(true);
    expect(chunks.flat().filter((text) => text.length === MAX_EMBED_CHARS)).toHaveLength(6);
    expect(chunks.every((chunk) => chunk.reduce((sum, text) => sum + text.length, 0) <= CHUNK_CHARS)).toBe(true);
    expect(chunks.length).toBeGreaterThan(1);
  });
});

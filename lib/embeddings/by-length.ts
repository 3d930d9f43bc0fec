/**
 * Texts per model call: large enough to share a call's fixed cost (~8 ms), small enough to keep padding and memory
 * low, and, with the worker pool, to split a big batch so that every worker takes a share.
 */
export const CHUNK_SIZE = 16;

/**
 * The local model reads at most this much of a text. Its cost grows faster than linearly with length (measured on
 * 2 cores, one text: 1,000 chars 0.17 s, 16,000 chars 0.4 s, 31,500 chars 3.6 s; sixteen of those 61 s), so an
 * unbounded text lets one request hold the model for a minute. 2,000 characters is about 500 tokens, far beyond a
 * conversation turn or a stored fact (LoCoMo's longest turn is ~110 tokens); a longer text is embedded by its start.
 */
export const MAX_EMBED_CHARS = 2_000;

/**
 * Characters per model call: with MAX_EMBED_CHARS, a call of the longest texts holds the model for a fraction of a
 * second, so a short query never waits long behind someone's batch (see the dispatch in local-worker.ts).
 */
export const CHUNK_CHARS = 4_000;

/**
 * Embeds texts in chunks of similar length and returns the vectors in the texts' order. The local model pads every
 * text of a call to the longest one (the padding is masked, so a vector does not depend on its neighbours), so
 * chunks of mixed lengths pay for tokens that are thrown away: on LoCoMo's turns (39 tokens on average, up to 110)
 * chunks of 16 in length order took 20.5 ms a text instead of 26.2 in arrival order. A chunk holds at most
 * `chunkSize` texts and CHUNK_CHARS characters; each text is cut to MAX_EMBED_CHARS.
 */
export async function embedByLength(texts: string[], chunkSize: number, embedChunk: (chunk: string[]) => Promise<number[][]>): Promise<number[][]> {
  const clipped = texts.map((text) => (text.length > MAX_EMBED_CHARS ? text.slice(0, MAX_EMBED_CHARS) : text));
  const order = clipped.map((_, index) => index).sort((a, b) => clipped[a]!.length - clipped[b]!.length);
  const chunks: number[][] = [];
  let current: number[] = [];
  let chars = 0;
  for (const index of order) {
    const length = clipped[index]!.length;
    if (current.length > 0 && (current.length >= chunkSize || chars + length > CHUNK_CHARS)) {
      chunks.push(current);
      current = [];
      chars = 0;
    }
    current.push(index);
    chars += length;
  }
  if (current.length > 0) chunks.push(current);
  const vectors = new Array<number[]>(texts.length);
  await Promise.all(
    chunks.map(async (chunk) => {
      const embedded = await embedChunk(chunk.map((index) => clipped[index]!));
      chunk.forEach((index, i) => (vectors[index] = embedded[i]!));
    }),
  );
  return vectors;
}

import { describe, expect, it } from 'vitest';
import { createLocalEmbedder } from '@/lib/embeddings/local';
import { createLocalWorkerEmbedder } from '@/lib/embeddings/local-worker';

describe('local embedder in a worker thread', () => {
  it('gives the same vectors as the in-process model, for several texts at once', async () => {
    const texts = ['User prefers dark mode and uses VS Code', 'I just moved to Bristol'];
    const [fromWorker, inProcess] = await Promise.all([createLocalWorkerEmbedder().embed(texts), createLocalEmbedder().embed(texts)]);
    expect(fromWorker).toHaveLength(2);
    expect(fromWorker[0]).toHaveLength(512);
    fromWorker.forEach((vector, i) => vector.forEach((value, j) => expect(value).toBeCloseTo(inProcess[i]![j]!, 5)));
  });
});

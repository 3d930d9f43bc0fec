import { embedMany, type EmbeddingModel } from 'ai';
import type { Embedder } from './types';

/** OpenAI or Google embedding models through the AI SDK. */
export function createAiSdkEmbedder(options: { id: string; model: EmbeddingModel; dimensions: number }): Embedder {
  return {
    id: options.id,
    dimensions: options.dimensions,
    async embed(texts) {
      if (texts.length === 0) return [];
      const { embeddings } = await embedMany({ model: options.model, values: texts, maxRetries: 2 });
      return embeddings;
    },
  };
}

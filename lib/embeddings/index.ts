import path from 'node:path';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createOpenAI } from '@ai-sdk/openai';
import type { Env } from '@/lib/env';
import { createAiSdkEmbedder } from './ai-sdk';
import { withBatchingAndCache } from './batching';
import { createLocalEmbedder } from './local';
import { createLocalWorkerEmbedder } from './local-worker';
import { createOnnxEmbedder, DEFAULT_ONNX_MODEL } from './onnx';
import type { Embedder } from './types';

export type { Embedder, EmbedOptions } from './types';
export { EmbeddingUnavailableError, scopedEmbedder } from './types';

const DEFAULT_DIMENSIONS: Record<string, number> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
  'gemini-embedding-001': 3072,
  'text-embedding-004': 768,
};

/** Chosen once from configuration; an LLM key alone never switches the embedder. */
export function createEmbedder(env: Env): Embedder {
  switch (env.EMBEDDING_PROVIDER) {
    case 'openai': {
      const model = env.EMBEDDING_MODEL ?? 'text-embedding-3-small';
      const openai = createOpenAI({ apiKey: env.OPENAI_API_KEY, baseURL: env.OPENAI_BASE_URL });
      const dimensions = env.EMBEDDING_DIMENSIONS ?? DEFAULT_DIMENSIONS[model] ?? 1536;
      return withBatchingAndCache(createAiSdkEmbedder({ id: `openai:${model}`, model: openai.embedding(model), dimensions }));
    }
    case 'google': {
      const model = env.EMBEDDING_MODEL ?? 'gemini-embedding-001';
      const google = createGoogleGenerativeAI({ apiKey: env.GOOGLE_GENERATIVE_AI_API_KEY, baseURL: env.GOOGLE_GENERATIVE_AI_BASE_URL });
      const dimensions = env.EMBEDDING_DIMENSIONS ?? DEFAULT_DIMENSIONS[model] ?? 768;
      return withBatchingAndCache(createAiSdkEmbedder({ id: `google:${model}`, model: google.embedding(model), dimensions }));
    }
    case 'local':
      return withBatchingAndCache(env.EMBEDDING_WORKER ? createLocalWorkerEmbedder() : createLocalEmbedder());
    case 'onnx':
      return createOnnxEmbedder({
        model: env.EMBEDDING_MODEL ?? DEFAULT_ONNX_MODEL,
        cacheDir: env.EMBEDDING_CACHE_DIR ? path.resolve(env.EMBEDDING_CACHE_DIR) : path.join(env.dataDir, 'models'),
        allowDownload: env.EMBEDDING_DOWNLOAD,
        modelHost: env.EMBEDDING_MODEL_HOST,
        dtype: env.EMBEDDING_DTYPE,
        dimensions: env.EMBEDDING_DIMENSIONS,
        pooling: env.EMBEDDING_POOLING,
        queryPrefix: env.EMBEDDING_QUERY_PREFIX,
      });
  }
}

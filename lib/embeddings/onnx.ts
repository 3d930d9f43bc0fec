import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ConfigError } from '@/lib/env';
import { withBatchingAndCache } from './batching';
import { CHUNK_SIZE, embedByLength } from './by-length';
import { EmbeddingUnavailableError, type Embedder } from './types';

// Sentence-embedding models in ONNX, run by @huggingface/transformers on onnxruntime-node: a Hugging Face model id
// downloaded on first use into a cache folder, or a local folder (fully offline). The library is loaded, in a worker
// thread, only when the first text is embedded, so the default provider never loads it.

export type OnnxPooling = 'mean' | 'cls';
export type OnnxDtype = 'fp32' | 'fp16' | 'q8';

/** BGE small v1.5: 384-d, the strongest retrieval model of its size among the common ONNX exports (MTEB retrieval ~51.7 vs MiniLM-L6's ~41.9). */
export const DEFAULT_ONNX_MODEL = 'Xenova/bge-small-en-v1.5';
export const DEFAULT_MODEL_HOST = 'https://huggingface.co/';

const BGE_QUERY_INSTRUCTION = 'Represent this sentence for searching relevant passages:';

/**
 * What the model cards say, for models whose files may not be here yet (the dimension must be known before the
 * first download, to check the database's recorded model at start-up). Keyed by the repository's name, so the
 * BAAI, Xenova and onnx-community exports of a model share an entry.
 */
const KNOWN_MODELS: Record<string, { dimensions: number; pooling: OnnxPooling; queryPrefix?: string }> = {
  'bge-small-en-v1.5': { dimensions: 384, pooling: 'cls', queryPrefix: BGE_QUERY_INSTRUCTION },
  'bge-base-en-v1.5': { dimensions: 768, pooling: 'cls', queryPrefix: BGE_QUERY_INSTRUCTION },
  'bge-large-en-v1.5': { dimensions: 1024, pooling: 'cls', queryPrefix: BGE_QUERY_INSTRUCTION },
  'all-minilm-l6-v2': { dimensions: 384, pooling: 'mean' },
  'all-minilm-l12-v2': { dimensions: 384, pooling: 'mean' },
  'all-mpnet-base-v2': { dimensions: 768, pooling: 'mean' },
  'e5-small-v2': { dimensions: 384, pooling: 'mean', queryPrefix: 'query:' },
  'e5-base-v2': { dimensions: 768, pooling: 'mean', queryPrefix: 'query:' },
};

export interface OnnxEmbedderOptions {
  /** A Hugging Face model id (`Xenova/bge-small-en-v1.5`) or the path of a folder holding the model's files. */
  model: string;
  /** Where downloaded models are kept (`<cacheDir>/<model id>/…`). */
  cacheDir: string;
  /** Whether a model id missing from the cache may be downloaded. */
  allowDownload: boolean;
  /** The Hugging Face Hub or a mirror of it. */
  modelHost?: string;
  dtype?: OnnxDtype;
  /** The vector size; by default the model's config (`hidden_size`), else what its card says. */
  dimensions?: number;
  pooling?: OnnxPooling;
  /** Put before each query (BGE's and E5's instructions by default for those models); stored texts never get it. */
  queryPrefix?: string;
}

/** A local folder when the value names an existing one or looks like a path; otherwise a Hugging Face model id. */
function localFolderOf(model: string): string | undefined {
  const looksLikePath = model.startsWith('.') || model.startsWith('/') || model.startsWith('~') || path.isAbsolute(model);
  const resolved = path.resolve(model.startsWith('~') ? path.join(process.env.HOME ?? '', model.slice(1)) : model);
  if (looksLikePath) return resolved;
  return fs.existsSync(path.join(resolved, 'config.json')) ? resolved : undefined;
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function dimensionsFromConfig(config: Record<string, unknown> | undefined): number | undefined {
  const value = config?.hidden_size ?? config?.d_model ?? config?.dim ?? config?.n_embd;
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

/** sentence-transformers' pooling settings (`1_Pooling/config.json`), when the model folder has them. */
function poolingFromFolder(folder: string): OnnxPooling | undefined {
  const config = readJson(path.join(folder, '1_Pooling', 'config.json'));
  if (config?.pooling_mode_cls_token === true) return 'cls';
  if (config?.pooling_mode_mean_tokens === true) return 'mean';
  return undefined;
}

export interface ResolvedOnnxModel {
  /** What transformers loads: the folder's absolute path, or the model id. */
  source: string;
  local: boolean;
  /** Where the model's files are (or will be, once downloaded). */
  folder: string;
  dimensions: number;
  pooling: OnnxPooling;
  queryPrefix?: string;
}

/** Everything about the model that must be known before it is loaded, read synchronously (configuration time). */
export function resolveOnnxModel(options: OnnxEmbedderOptions): ResolvedOnnxModel {
  const localFolder = localFolderOf(options.model);
  const folder = localFolder ?? path.join(options.cacheDir, ...options.model.split('/'));
  const known = KNOWN_MODELS[path.basename(options.model).toLowerCase()];
  const dimensions = options.dimensions ?? dimensionsFromConfig(readJson(path.join(folder, 'config.json'))) ?? known?.dimensions;
  if (!dimensions) {
    const where = localFolder ? `${localFolder}/config.json has no hidden_size` : `it is not in ${folder} yet`;
    throw new ConfigError(`EMBEDDING_MODEL=${options.model}: its vector size is unknown (${where}); set EMBEDDING_DIMENSIONS.`);
  }
  return {
    source: localFolder ?? options.model,
    local: Boolean(localFolder),
    folder,
    dimensions,
    pooling: options.pooling ?? poolingFromFolder(folder) ?? known?.pooling ?? 'mean',
    queryPrefix: options.queryPrefix ?? known?.queryPrefix,
  };
}

/** After a failed load, calls fail at once for this long instead of each trying the download again. */
const RETRY_AFTER_MS = 30_000;

/** The model behind the batching cache, with its query instruction (if any) in front of queries. */
export function createOnnxEmbedder(options: OnnxEmbedderOptions): Embedder {
  const model = resolveOnnxModel(options);
  return withQueryPrefix(withBatchingAndCache(createOnnxModelEmbedder(options, model)), model.queryPrefix);
}

interface ThreadSettings {
  source: string;
  cacheDir: string;
  modelHost: string;
  allowRemote: boolean;
  dtype: OnnxDtype;
  pooling: OnnxPooling;
}

// The model runs in a worker thread: onnxruntime-node's run() works synchronously under its promise, so on the main
// thread one batch would hold every other request. The library's settings are process-wide, hence one model per
// worker. The worker's code is a string resolved from node_modules at run time (as local-worker.ts), so no bundler
// is involved in finding the library.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createRequire } = require('node:module');
const { pipeline, env, LogLevel } = createRequire(workerData.resolveFrom)('@huggingface/transformers');
const settings = workerData.settings;
env.logLevel = LogLevel.ERROR;
env.cacheDir = settings.cacheDir;
env.localModelPath = settings.cacheDir;
env.remoteHost = settings.modelHost;
env.allowLocalModels = true;
env.allowRemoteModels = settings.allowRemote;
const message = (error) => String((error && error.message) || error);
const extractor = pipeline('feature-extraction', settings.source, {
  cache_dir: settings.cacheDir, local_files_only: !settings.allowRemote, dtype: settings.dtype, device: 'cpu',
});
extractor.then(() => parentPort.postMessage({ loaded: true }), (error) => parentPort.postMessage({ loadError: message(error) }));
parentPort.on('message', async ({ id, texts }) => {
  try {
    const output = await (await extractor)(texts, { pooling: settings.pooling, normalize: true });
    parentPort.postMessage({ id, vectors: output.tolist() });
  } catch (error) {
    parentPort.postMessage({ id, error: message(error) });
  }
});
`;

interface ModelThread {
  run(texts: string[]): Promise<number[][]>;
}

/** Starts the worker and resolves once its model is loaded; `onExit` hears of a worker that died afterwards. */
function startModelThread(settings: ThreadSettings, onExit: () => void): Promise<ModelThread> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { resolveFrom: path.join(process.cwd(), 'package.json'), settings } });
    const pending = new Map<number, { resolve: (vectors: number[][]) => void; reject: (error: Error) => void }>();
    let nextId = 0;
    let loaded = false;
    const thread: ModelThread = {
      run: (texts) =>
        new Promise((resolveRun, rejectRun) => {
          const id = nextId++;
          pending.set(id, { resolve: resolveRun, reject: rejectRun });
          // While an answer is awaited the worker keeps the process alive; idle, it does not keep scripts running.
          worker.ref();
          worker.postMessage({ id, texts });
        }),
    };
    worker.on('message', (message: { loaded?: true; loadError?: string; id?: number; vectors?: number[][]; error?: string }) => {
      if (message.loaded) {
        loaded = true;
        worker.unref();
        resolve(thread);
      } else if (message.loadError !== undefined) {
        void worker.terminate();
        reject(new Error(message.loadError));
      } else {
        const call = pending.get(message.id!);
        pending.delete(message.id!);
        if (pending.size === 0) worker.unref();
        if (message.error !== undefined) call?.reject(new Error(message.error));
        else call?.resolve(message.vectors!);
      }
    });
    worker.on('error', (error: Error) => {
      if (!loaded) reject(error);
    });
    worker.on('exit', () => {
      for (const call of pending.values()) call.reject(new Error('The embedding model thread stopped'));
      pending.clear();
      if (!loaded) reject(new Error('The embedding model thread stopped while loading'));
      else onExit();
    });
  });
}

function createOnnxModelEmbedder(options: OnnxEmbedderOptions, model: ResolvedOnnxModel): Embedder {
  const dtype = options.dtype ?? 'fp32';
  const modelHost = options.modelHost ?? DEFAULT_MODEL_HOST;
  let thread: Promise<ModelThread> | undefined;
  let failure: { error: EmbeddingUnavailableError; until: number } | undefined;
  // One model call at a time: onnxruntime already spreads one call over the cores.
  let queue: Promise<unknown> = Promise.resolve();

  const unavailable = (cause: unknown) => {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const how = model.local
      ? `it could not be loaded from ${model.folder}`
      : options.allowDownload
        ? `it is not in the cache at ${options.cacheDir} and could not be downloaded from ${modelHost}`
        : `it is not in the cache at ${options.cacheDir} and downloads are off (EMBEDDING_DOWNLOAD=false)`;
    return new EmbeddingUnavailableError(
      `The embedding model ${options.model} is not available: ${how} (${reason}). Nothing was stored; please retry later.`,
      { cause, publicMessage: `The embedding model ${options.model} is not available on this server right now. Nothing was stored; please retry later.` },
    );
  };

  const settings: ThreadSettings = {
    source: model.source,
    cacheDir: options.cacheDir,
    modelHost,
    allowRemote: options.allowDownload && !model.local,
    dtype,
    pooling: model.pooling,
  };

  const ready = (): Promise<ModelThread> => {
    if (failure && Date.now() < failure.until) return Promise.reject(failure.error);
    const started = (thread ??= startModelThread(settings, () => {
      if (thread === started) thread = undefined;
    }).catch((error: unknown) => {
      thread = undefined;
      failure = { error: unavailable(error), until: Date.now() + RETRY_AFTER_MS };
      throw failure.error;
    }));
    return started;
  };

  const embedChunk = async (chunk: string[]): Promise<number[][]> => {
    const modelThread = await ready();
    const turn = queue.then(() => modelThread.run(chunk));
    queue = turn.catch(() => undefined);
    const vectors = await turn;
    const size = vectors[0]?.length;
    if (size !== model.dimensions) {
      throw new EmbeddingUnavailableError(
        `The embedding model ${options.model} gives ${size}-dimensional vectors, but ${model.dimensions} were configured (EMBEDDING_DIMENSIONS or its config.json).`,
      );
    }
    return vectors;
  };

  return {
    id: `onnx:${model.source}#${model.pooling}-${dtype}`,
    dimensions: model.dimensions,
    async embed(texts) {
      if (texts.length === 0) return [];
      return embedByLength(texts, CHUNK_SIZE, embedChunk);
    },
  };
}

/** Queries get the model's instruction in front (`purpose: 'query'`); everything else passes through unchanged. */
export function withQueryPrefix(inner: Embedder, prefix: string | undefined): Embedder {
  if (!prefix) return inner;
  return {
    id: inner.id,
    dimensions: inner.dimensions,
    embed: (texts, options) => inner.embed(options?.purpose === 'query' ? texts.map((text) => `${prefix} ${text}`) : texts, options),
  };
}

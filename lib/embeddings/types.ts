export interface EmbedOptions {
  /**
   * Whose request this is (the account id): cached vectors are kept per scope, so no tenant can tell from a cache hit
   * (and its timing) that another tenant embedded the same text. Calls without a scope share one scope of their own.
   */
  cacheScope?: string;
  /**
   * What the texts are: a search query, or something to store and be found (the default). Models trained with a
   * query instruction (BGE, E5) get it on queries only; the others ignore this.
   */
  purpose?: 'query' | 'document';
}

const UNAVAILABLE = Symbol.for('memory-layer.embedding-unavailable');

/** The embedder cannot serve now (for instance, its model could not be loaded); the message says what to fix. */
export class EmbeddingUnavailableError extends Error {
  readonly [UNAVAILABLE] = true;

  /** What an API client is told (the message itself may name server paths and hosts, for the operator's log). */
  readonly publicMessage: string;

  constructor(message: string, options?: { cause?: unknown; publicMessage?: string }) {
    super(message, options);
    this.name = 'EmbeddingUnavailableError';
    this.publicMessage = options?.publicMessage ?? message;
  }

  /**
   * Recognised by a registered symbol, not instanceof: Next bundles this module into more than one server chunk while
   * the services (and so the embedder that throws) are shared across chunks through globalThis.
   */
  static is(error: unknown): error is EmbeddingUnavailableError {
    return typeof error === 'object' && error !== null && (error as { [UNAVAILABLE]?: unknown })[UNAVAILABLE] === true;
  }
}

export interface Embedder {
  /** Identifies model and dimension, recorded in the database so a silent model switch cannot mix vectors. */
  readonly id: string;
  readonly dimensions: number;
  embed(texts: string[], options?: EmbedOptions): Promise<number[][]>;
}

/** The same embedder with every call made on behalf of `cacheScope` (an account); a call's own scope wins. */
export function scopedEmbedder(embedder: Embedder, cacheScope: string): Embedder {
  return { id: embedder.id, dimensions: embedder.dimensions, embed: (texts, options) => embedder.embed(texts, { cacheScope, ...options }) };
}

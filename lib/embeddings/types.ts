export interface Embedder {
  /** Identifies model and dimension, recorded in the database so a silent model switch cannot mix vectors. */
  readonly id: string;
  readonly dimensions: number;
  /** How many embed calls it can work on at once (worker threads; remote APIs take several). Default 1. */
  readonly parallelism?: number;
  embed(texts: string[]): Promise<number[][]>;
}

export interface Embedder {
  /** Identifies model and dimension, recorded in the database so a silent model switch cannot mix vectors. */
  readonly id: string;
  readonly dimensions: number;
  embed(texts: string[]): Promise<number[][]>;
}

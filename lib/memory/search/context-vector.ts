/** How much of the memory before it goes into the vector that ranks a memory of a conversation (migration 0011). */
export const CONTEXT_BLEND = 0.5;

/**
 * The vector hybrid search ranks a conversation's memory by: its own embedding plus CONTEXT_BLEND times the embedding
 * of the memory said just before it, normalised, so an answer is also found by the words of the question it answers.
 * No model call. The memory's reported similarity stays its own cosine.
 */
export function blendWithPrevious(own: number[], before: number[]): number[] {
  const blended = own.map((value, d) => value + CONTEXT_BLEND * before[d]!);
  const length = Math.hypot(...blended) || 1;
  return blended.map((value) => value / length);
}

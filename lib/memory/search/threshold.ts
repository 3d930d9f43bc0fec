/** How far below the similarity threshold a memory that shares a word with the query may sit. */
export const KEYWORD_RELIEF = 0.1;

/**
 * What `similarity_threshold` keeps in hybrid search (and chat): a memory whose cosine similarity to the query is at
 * least the threshold, or one that shares a word with the query (a BM25 match) and is at most KEYWORD_RELIEF below
 * it. So 0.3 keeps "I am building a React dashboard" for "What am I building?" (cosine 0.27, shares "building"),
 * 0.7 still means close matches only, and a memory sharing no word stays out below the threshold.
 */
export function passesThreshold(similarity: number, sharesKeyword: boolean, threshold: number): boolean {
  return similarity >= threshold || (sharesKeyword && similarity >= threshold - KEYWORD_RELIEF);
}

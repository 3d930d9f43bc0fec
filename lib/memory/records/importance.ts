/**
 * Importance rises with use: importance = base + (1 − base) · (1 − e^(−accesses / 50)).
 * A new memory starts at its base (0.5); 10 accesses lift it to ≈0.59, 50 to ≈0.82, 150 to ≈0.98; never above 1.
 * The slow rise matters: search ranks by 0.7·similarity + 0.3·importance, and a fast rise lets whatever was
 * returned first keep winning later, unrelated queries.
 */
export const DEFAULT_BASE_IMPORTANCE = 0.5;
export const ACCESS_SCALE = 50;

export function importanceAfterAccesses(base: number, accessCount: number): number {
  const value = base + (1 - base) * (1 - Math.exp(-Math.max(0, accessCount) / ACCESS_SCALE));
  return Math.min(1, Math.max(0, value));
}

/** The same formula in SQL, for updates that run inside the database; `accesses` is the new access count. */
export function importanceAfterAccessesSql(accesses: string): string {
  return `least(1, base_importance + (1 - base_importance) * (1 - exp(-(${accesses}) / ${ACCESS_SCALE}.0)))`;
}

/** The reference's ranking: 70% cosine similarity + 30% importance. */
export function combinedScore(similarity: number, importance: number): number {
  return 0.7 * similarity + 0.3 * importance;
}

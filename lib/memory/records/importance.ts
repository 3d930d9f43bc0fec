/**
 * Importance says how much a memory matters, in [0, 1]: its base, from what it is (who the user is, where they live
 * and work, their relationships, health, preferences and plans matter more than small talk), raised by explicit use
 * (a GET of the memory by id, a chat reply that used it):
 *   importance = base + (1 − base) · (1 − e^(−uses / 50))
 * Being returned by a search is not a use: that is popularity, and letting it raise the rank made whatever was
 * returned first keep winning later queries. The rise is slow: 10 uses lift a base of 0.5 to ≈0.59, 50 to ≈0.82.
 */
export const DEFAULT_BASE_IMPORTANCE = 0.5;
export const USE_SCALE = 50;

/** The base importance of a memory of this category (categories of lib/memory/ingest/extraction/rules.ts). */
const BASE_BY_CATEGORY: Record<string, number> = {
  location: 0.7,
  work: 0.7,
  relationship: 0.7,
  health: 0.7,
  preference: 0.6,
  plan: 0.6,
  hobby: 0.6,
  general: DEFAULT_BASE_IMPORTANCE,
};

export function baseImportanceOf(category: string | null | undefined): number {
  return BASE_BY_CATEGORY[category ?? 'general'] ?? DEFAULT_BASE_IMPORTANCE;
}

export function importanceAfterUses(base: number, uses: number): number {
  const value = base + (1 - base) * (1 - Math.exp(-Math.max(0, uses) / USE_SCALE));
  return Math.min(1, Math.max(0, value));
}

/** The same formula in SQL, for updates that run inside the database; `uses` is the new use count. */
export function importanceAfterUsesSql(uses: string): string {
  return `least(1, base_importance + (1 - base_importance) * (1 - exp(-(${uses}) / ${USE_SCALE}.0)))`;
}

/** The reference's ranking: 70% cosine similarity + 30% importance. */
export function combinedScore(similarity: number, importance: number): number {
  return 0.7 * similarity + 0.3 * importance;
}

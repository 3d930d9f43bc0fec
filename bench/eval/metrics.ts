export const KS = [1, 5, 10, 20] as const;

export interface QuestionResult {
  category: number;
  evidence: string[];
  /** Turn ids of the ranked results (a result may stand for several turns: each list entry is one result). */
  ranked: string[][];
  latencyMs: number;
}

export interface Scores {
  questions: number;
  recall: Record<number, number>;
  hit: Record<number, number>;
  mrr: number;
}

/** Recall@k: share of a question's evidence turns among the top k results; Hit@k: at least one; MRR over the top 20. */
export function score(results: QuestionResult[]): Scores {
  const usable = results.filter((r) => r.evidence.length > 0);
  const recall: Record<number, number> = {};
  const hit: Record<number, number> = {};
  for (const k of KS) {
    let recallSum = 0;
    let hits = 0;
    for (const result of usable) {
      const found = new Set(result.ranked.slice(0, k).flat());
      const covered = result.evidence.filter((id) => found.has(id)).length;
      recallSum += covered / result.evidence.length;
      if (covered > 0) hits += 1;
    }
    recall[k] = usable.length ? recallSum / usable.length : 0;
    hit[k] = usable.length ? hits / usable.length : 0;
  }
  let mrrSum = 0;
  for (const result of usable) {
    const position = result.ranked.slice(0, 20).findIndex((ids) => ids.some((id) => result.evidence.includes(id)));
    if (position >= 0) mrrSum += 1 / (position + 1);
  }
  return { questions: usable.length, recall, hit, mrr: usable.length ? mrrSum / usable.length : 0 };
}

export const pct = (value: number) => `${(value * 100).toFixed(1)}%`;

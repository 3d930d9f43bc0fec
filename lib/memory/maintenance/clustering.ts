/** Cosine similarity of two vectors (0 when either is all zeros). */
export function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

export interface Clusterable {
  id: string;
  embedding: number[];
}

/**
 * Leader clustering by centroid: items (in the given order) join the most similar cluster whose centroid is at
 * least `threshold` similar, else start their own. Deterministic for a given order; O(items × clusters).
 * Clusters stop growing at maxSize so one topic cannot swallow a user's whole memory.
 */
export function clusterByCentroid<T extends Clusterable>(items: T[], threshold: number, maxSize = 20): T[][] {
  const clusters: { members: T[]; sum: number[] }[] = [];
  for (const item of items) {
    let best: (typeof clusters)[number] | undefined;
    let bestSimilarity = threshold;
    for (const cluster of clusters) {
      if (cluster.members.length >= maxSize) continue;
      const similarity = cosine(item.embedding, cluster.sum);
      if (similarity >= bestSimilarity) {
        best = cluster;
        bestSimilarity = similarity;
      }
    }
    if (best) {
      best.members.push(item);
      for (let i = 0; i < best.sum.length; i++) best.sum[i]! += item.embedding[i]!;
    } else {
      clusters.push({ members: [item], sum: [...item.embedding] });
    }
  }
  return clusters.map((cluster) => cluster.members);
}

/** Members ordered by how central they are (mean similarity to the others), most central first. */
export function byCentrality<T extends Clusterable>(members: T[]): T[] {
  const scored = members.map((member) => ({
    member,
    score: members.reduce((sum, other) => (other === member ? sum : sum + cosine(member.embedding, other.embedding)), 0),
  }));
  return scored.sort((a, b) => b.score - a.score).map((entry) => entry.member);
}

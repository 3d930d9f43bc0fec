import type { ExtractedFact } from './extraction';

// What one ingest writes, decided in memory from rows read beforehand, so the write transaction issues a fixed number
// of statements whatever the number of messages. The rules are the ones the statements applied one fact at a time
// before: facts are taken in order, and each sees what the facts before it created, merged and superseded.

/** Cosine similarity at or above which a new fact is the same memory said again. */
export const DUPLICATE_SIMILARITY = 0.95;

export interface PlanScope {
  endUserId: string;
  agentId: string | null;
}

/** A fact with what it needs to be written. */
export interface PlannedFact {
  fact: ExtractedFact;
  embedding: number[];
  /** The fact's text as the duplicate check compares it (lower case, runs of white space as one space). */
  normalized: string;
  speaker: string | null;
  sourceMessageId: string;
}

/** An existing memory the decisions may touch, as it is with the ingest's lock held. */
export interface ExistingRow {
  id: string;
  endUserId: string;
  agentId: string | null;
  content: string;
  category: string | null;
  slot: string | null;
  speaker: string | null;
  /** valid_from in epoch milliseconds (with its fraction). */
  validFromMs: number;
  active: boolean;
}

export interface NearCandidate {
  id: string;
  similarity: number;
}

export interface Superseded {
  id: string;
  reason: string;
}

export interface FactDecision {
  /** The memory written (created) or merged into. */
  id: string;
  content: string;
  category: string;
  status: 'created' | 'duplicate';
  /** Ids of the memories it replaced. */
  supersedes: string[];
  sourceMessageIndex: number;
  reason: string;
  superseded: Superseded[];
  similarity: number | null;
}

export interface Supersession {
  id: string;
  supersededBy: string;
  reason: string;
  /**
   * Replaced by a newer statement: valid until the ingest's date, and updated then. Otherwise a fact said before the
   * current one: valid until the current one's valid_from, updated_at unchanged.
   */
  byNewer: boolean;
}

export interface WritePlan {
  decisions: FactDecision[];
  /** Facts to insert (index into the planned facts), with the ids chosen for them and the messages merged into them. */
  created: { index: number; id: string; sourceMessageIds: string[] }[];
  /** Existing memories that repeat a fact: the source messages to append to each. */
  merges: Map<string, string[]>;
  supersessions: Supersession[];
}

export interface PlanInput {
  scope: PlanScope;
  saidAtMs: number;
  facts: PlannedFact[];
  /** Per fact, active memories of the scope with the same normalized text (oldest first). */
  exact: ExistingRow[][];
  /** Per fact, active memories of the scope at or above DUPLICATE_SIMILARITY (read before the lock). */
  near: NearCandidate[][];
  /** Every existing row named above, the ones holding the facts' slots, and the model's supersedes and duplicateOf ids. */
  rows: Map<string, ExistingRow>;
  newId: () => string;
}

export function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    normA += a[i]! * a[i]!;
    normB += b[i]! * b[i]!;
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

const roundSimilarity = (value: number) => Math.round(value * 10_000) / 10_000;

export function planWrites(input: PlanInput): WritePlan {
  const { scope, saidAtMs, facts } = input;
  const rows = new Map(input.rows);
  const superseded = new Set<string>();
  const isActive = (row: ExistingRow) => row.active && !superseded.has(row.id);
  const createdRows: { row: ExistingRow; planned: PlannedFact; entry: WritePlan['created'][number] }[] = [];
  const plan: WritePlan = { decisions: [], created: [], merges: new Map(), supersessions: [] };

  const merge = (index: number, target: { id: string; content: string; category: string | null }, similarity: number | null, reason: string) => {
    const planned = facts[index]!;
    const own = createdRows.find((created) => created.row.id === target.id);
    if (own) own.entry.sourceMessageIds.push(planned.sourceMessageId);
    else plan.merges.set(target.id, [...(plan.merges.get(target.id) ?? []), planned.sourceMessageId]);
    plan.decisions.push({ id: target.id, content: target.content, category: target.category ?? 'general', status: 'duplicate', supersedes: [], sourceMessageIndex: planned.fact.sourceIndex, reason, superseded: [], similarity });
  };

  for (const [index, planned] of facts.entries()) {
    const { fact } = planned;
    // The extraction model's own judgement first. It named a memory it was shown before the lock: one that is not this
    // end user's (and agent's) or is no longer active (superseded or archived since, by another ingest or an earlier
    // fact of this one) is ignored, as the exact and near checks ignore it, so the fact is not merged into history.
    const named = fact.duplicateOf ? rows.get(fact.duplicateOf) : undefined;
    if (named && isActive(named) && named.endUserId === scope.endUserId && (scope.agentId === null || named.agentId === scope.agentId)) {
      merge(index, named, null, 'the extraction model found an existing memory that says the same');
      continue;
    }
    const exact =
      input.exact[index]!.find((row) => isActive(row)) ??
      createdRows.find(({ row, planned: earlier }) => isActive(row) && earlier.normalized === planned.normalized)?.row;
    if (exact) {
      merge(index, exact, 1, 'the same text is already remembered');
      continue;
    }
    const near = [
      ...input.near[index]!.flatMap((candidate) => {
        const row = rows.get(candidate.id);
        return row && isActive(row) ? [{ row, similarity: candidate.similarity }] : [];
      }),
      ...createdRows.filter(({ row }) => isActive(row)).map(({ row, planned: earlier }) => ({ row, similarity: cosine(planned.embedding, earlier.embedding) })),
    ]
      .filter((candidate) => candidate.similarity >= DUPLICATE_SIMILARITY)
      .reduce<{ row: ExistingRow; similarity: number } | undefined>((best, candidate) => (!best || candidate.similarity > best.similarity ? candidate : best), undefined);
    if (near) {
      const similarity = roundSimilarity(near.similarity);
      merge(index, near.row, similarity, `says the same as an existing memory (cosine ${similarity} ≥ ${DUPLICATE_SIMILARITY})`);
      continue;
    }

    const id = input.newId();
    const row: ExistingRow = { id, endUserId: scope.endUserId, agentId: scope.agentId, content: fact.content, category: fact.category, slot: fact.slot, speaker: planned.speaker, validFromMs: saidAtMs, active: true };
    const entry = { index, id, sourceMessageIds: [planned.sourceMessageId] };
    plan.created.push(entry);
    // Older memories of the same end user (and agent, when the key has one) that this fact replaces.
    const inScope = (other: ExistingRow) => other.id !== id && other.endUserId === scope.endUserId && isActive(other) && (scope.agentId === null || other.agentId === scope.agentId);
    const replaced: Superseded[] = [];
    for (const other of [...rows.values(), ...createdRows.map((created) => created.row)]) {
      if (!inScope(other) || other.validFromMs > saidAtMs) continue;
      const byModel = fact.supersedes.includes(other.id);
      const bySlot = fact.slot !== null && other.slot === fact.slot && other.speaker === planned.speaker;
      if (!byModel && !bySlot) continue;
      const reason = byModel ? 'the extraction model decided a newer fact updates it' : `a newer statement set ${fact.slot}`;
      superseded.add(other.id);
      replaced.push({ id: other.id, reason });
      plan.supersessions.push({ id: other.id, supersededBy: id, reason, byNewer: true });
    }
    createdRows.push({ row, planned, entry });
    if (fact.slot) {
      // Said before a current fact of the same slot: history of that fact from the start.
      const newer = [...rows.values()]
        .filter((other) => inScope(other) && other.validFromMs > saidAtMs && other.slot === fact.slot && other.speaker === planned.speaker)
        .reduce<ExistingRow | undefined>((earliest, other) => (!earliest || other.validFromMs < earliest.validFromMs ? other : earliest), undefined);
      if (newer) {
        superseded.add(id);
        plan.supersessions.push({ id, supersededBy: newer.id, reason: `said before the current statement of ${fact.slot}`, byNewer: false });
      }
    }
    const reason = replaced.length
      ? `a new fact that replaces ${replaced.length === 1 ? 'an older memory' : `${replaced.length} older memories`}${fact.slot ? ` (${fact.slot})` : ''}`
      : `a new fact (${fact.category})`;
    plan.decisions.push({ id, content: fact.content, category: fact.category, status: 'created', supersedes: replaced.map((entry) => entry.id), sourceMessageIndex: fact.sourceIndex, reason, superseded: replaced, similarity: null });
  }
  return plan;
}

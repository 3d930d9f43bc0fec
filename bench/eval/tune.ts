// npm run eval:tune -- --dataset <path>
// In-process retrieval lab: loads a dataset into PGlite with the local embedder, computes each signal's ranking
// once per question, then sweeps fusion settings and prints Recall@10 / Hit@20 for each. For choosing the
// defaults in lib/memory/ranking.ts and the SQL functions; the HTTP evaluation (npm run eval) has the last word.
import { parseArgs } from 'node:util';
import { toVectorLiteral } from '@/lib/db';
import { migrate } from '@/lib/db/migrate';
import { createPgliteDb } from '@/lib/db/pglite';
import { createLocalEmbedder } from '@/lib/embeddings/local';
import { loadDataset } from './dataset';
import { pct, score, type QuestionResult } from './metrics';

const { values } = parseArgs({ options: { dataset: { type: 'string' }, context: { type: 'string', default: 'prev' } } });
const dataset = loadDataset(values.dataset!);
const db = await createPgliteDb();
await migrate(db);
const embedder = createLocalEmbedder();
const account = '00000000-0000-0000-0000-0000000000aa';
await db.query('insert into accounts (id) values ($1)', [account]);

interface Lists { vector: string[]; vectorCtx: string[]; bm25: string[]; bm25NoCtx: string[]; bm25Ctx6: string[]; bm25b5: string[]; evidence: string[]; category: number; turnOf: Map<string, string>; speakerOf: Map<string, string>; q: string }
const questions: Lists[] = [];
for (const conversation of dataset.conversations) {
  const turnOf = new Map<string, string>();
  const texts = conversation.turns.map((turn) => `${turn.speaker}: ${turn.text}`);
  const vectors: number[][] = [];
  for (let i = 0; i < texts.length; i += 64) vectors.push(...(await embedder.embed(texts.slice(i, i + 64))));
  const withContext = texts.map((text, i) => (i > 0 ? `${texts[i - 1]}\n${text}` : text));
  const ctxVectors: number[][] = [];
  for (let i = 0; i < withContext.length; i += 64) ctxVectors.push(...(await embedder.embed(withContext.slice(i, i + 64))));
  const speakerOf = new Map<string, string>();
  for (const [i, turn] of conversation.turns.entries()) {
    const previous = i > 0 ? texts[i - 1]! : '';
    const next = i + 1 < texts.length ? texts[i + 1]! : '';
    const context = { prev: previous, next, both: `${previous}\n${next}`, none: '' }[values.context as 'prev' | 'next' | 'both' | 'none'] || null;
    const rows = await db.query<{ id: string }>(
      `insert into memories (account_id, end_user_id, content, context, embedding, metadata, created_at) values ($1, $2, $3, $4, $5::vector, $7::jsonb, $6) returning id`,
      [account, conversation.id, texts[i]!, context, toVectorLiteral(vectors[i]!), new Date(turn.date_iso ?? '2023-01-01'), JSON.stringify({ ctx: toVectorLiteral(ctxVectors[i]!) })],
    );
    turnOf.set(rows[0]!.id, turn.id);
    speakerOf.set(rows[0]!.id, turn.speaker.toLowerCase());
  }
  const qs = conversation.questions.filter((q) => q.category >= 1 && q.category <= 4);
  const qVectors = await embedder.embed(qs.map((q) => q.q));
  for (const [i, q] of qs.entries()) {
    const vector = await db.query<{ id: string }>(
      `select id from memories where account_id = $1 and end_user_id = $2 order by embedding <=> $3::vector limit 100`,
      [account, conversation.id, toVectorLiteral(qVectors[i]!)],
    );
    const vectorCtx = await db.query<{ id: string }>(
      `select id from memories where account_id = $1 and end_user_id = $2 order by (metadata->>'ctx')::vector <=> $3::vector limit 100`,
      [account, conversation.id, toVectorLiteral(qVectors[i]!)],
    );
    const bm = (extra: string) => db.query<{ id: string }>(`select id from bm25_match_memories($1, $2, $3, 100${extra})`, [account, conversation.id, q.q]);
    const [bm25, bm25NoCtx, bm25Ctx6, bm25b5] = await Promise.all([bm(''), bm(', p_context_weight => 0'), bm(', p_context_weight => 0.6'), bm(', p_b => 0.5')]);
    const ids = (rows: { id: string }[]) => rows.map((r) => r.id);
    questions.push({ vector: ids(vector), vectorCtx: ids(vectorCtx), bm25: ids(bm25), bm25NoCtx: ids(bm25NoCtx), bm25Ctx6: ids(bm25Ctx6), bm25b5: ids(bm25b5), evidence: q.evidence, category: q.category, turnOf, speakerOf, q: q.q.toLowerCase() });
  }
  console.log(`loaded ${conversation.id}`);
}

function fuseLists(lists: [string[], number][], k: number, speakerBoost = 0, q?: Lists): string[] {
  const scores = new Map<string, number>();
  for (const [list, weight] of lists) list.slice(0, 50).forEach((id, i) => scores.set(id, (scores.get(id) ?? 0) + weight / (k + i + 1)));
  if (speakerBoost && q) for (const [id, value] of scores) if (q.q.includes(q.speakerOf.get(id)!)) scores.set(id, value * (1 + speakerBoost));
  return [...scores.entries()].sort((a, b) => b[1] - a[1]).map(([id]) => id);
}
const fuse = (q: Lists, wv: number, wk: number, k: number) => fuseLists([[q.vector, wv], [q.bm25, wk]], k);

function report(name: string, rank: (q: Lists) => string[]) {
  const results: QuestionResult[] = questions.map((q) => ({ category: q.category, evidence: q.evidence, ranked: rank(q).map((id) => [q.turnOf.get(id)!]), latencyMs: 0 }));
  const s = score(results);
  console.log(`${name.padEnd(36)} R@10 ${pct(s.recall[10]!)}  R@20 ${pct(s.recall[20]!)}  Hit@10 ${pct(s.hit[10]!)}  Hit@20 ${pct(s.hit[20]!)}  MRR ${s.mrr.toFixed(3)}`);
}

report('vector (cosine) only', (q) => q.vector);
report('vector of context+turn only', (q) => q.vectorCtx);
report('bm25 only (context 0.3)', (q) => q.bm25);
report('bm25 no context', (q) => q.bm25NoCtx);
report('bm25 context 0.6', (q) => q.bm25Ctx6);
report('bm25 b=0.5', (q) => q.bm25b5);
report('rrf v0.5 vctx0.5 k1 k=10', (q) => fuseLists([[q.vector, 0.5], [q.vectorCtx, 0.5], [q.bm25, 1]], 10));
report('rrf vctx0.5 k1 k=10', (q) => fuseLists([[q.vectorCtx, 0.5], [q.bm25, 1]], 10));
report('rrf v0.5 k1 k=10 speaker 0.1', (q) => fuseLists([[q.vector, 0.5], [q.bm25, 1]], 10, 0.1, q));
report('rrf v0.5 k1 k=10 speaker 0.3', (q) => fuseLists([[q.vector, 0.5], [q.bm25, 1]], 10, 0.3, q));
report('rrf v.3 vctx.3 bm1 bm.6ctx.5 k=10', (q) => fuseLists([[q.vector, 0.3], [q.vectorCtx, 0.3], [q.bm25, 1], [q.bm25Ctx6, 0.5]], 10));
for (const [wv, wk, k] of [[1, 1, 60], [0.5, 1, 60], [0.3, 1, 60], [1, 1, 10], [0.5, 1, 10], [0.5, 1, 30]] as const) {
  report(`rrf wv=${wv} wk=${wk} k=${k}`, (q) => fuse(q, wv, wk, k));
}
await db.close();

if (process.env.TUNE_DEBUG) {
  const texts = new Map<string, string>();
  for (const c of dataset.conversations) for (const t of c.turns) texts.set(t.id + c.id, `${t.speaker}: ${t.text}`);
  let shown = 0;
  for (const q of questions) {
    const top = fuseLists([[q.vector, 0.5], [q.bm25, 1]], 10, 0.3, q).slice(0, 10).map((id) => q.turnOf.get(id)!);
    if (q.evidence.some((e) => top.includes(e)) || shown >= 12) continue;
    shown += 1;
    const conv = dataset.conversations.find((c) => c.questions.some((x) => x.q.toLowerCase() === q.q))!;
    console.log(`\nQ(${q.category}) ${q.q}\n  evidence: ${q.evidence.map((e) => texts.get(e + conv.id)).join(' | ')}\n  top1: ${texts.get(top[0]! + conv.id)}`);
  }
}

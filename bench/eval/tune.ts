// npm run eval:tune -- --dataset <path> [--data-dir <dir>]
// Retrieval lab on the real code: ingests each conversation through ingestConversation (as POST /v1/ingest does),
// then runs every question through hybridSearch (as POST /v1/search does) and buildContext at 1,000 tokens (as
// POST /v1/context does) once per ranking setting, changing only the RANKING constants in between. Prints
// Recall/Hit/MRR, R@10 per category and per conversation, and the share of evidence turns the context block holds:
// a setting worth keeping moves every conversation the same way. In process, no HTTP: for choosing the defaults in
// lib/memory/search/ranking.ts; the HTTP evaluation (npm run eval) has the last word. With --data-dir the ingested
// database is kept there and reused by the next run (delete the directory after changing ingest). With --store the
// same conversations are also stored turn by turn through storeMemory (as POST /v1/memory/ with metadata.session_id
// and the session's timestamp, as npm run eval's store mode does) and every question is searched through
// searchMemories (POST /v1/memory/search, default mode, threshold 0): the per-turn store path, scored beside ingest.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { drainDeferred } from '@/lib/core/after-response';
import { createContext } from '@/lib/core/context';
import { IngestBody } from '@/lib/schemas/conversation';
import { parseEnv } from '@/lib/env';
import { buildContext } from '@/lib/memory/context/build-context';
import { hybridSearch } from '@/lib/memory/search/hybrid';
import { ingestConversation } from '@/lib/memory/ingest/ingest';
import { RANKING } from '@/lib/memory/search/ranking';
import { searchMemories } from '@/lib/memory/search/memory-search';
import { storeMemory } from '@/lib/memory/records/store';
import { SearchMemoriesBody, StoreMemoryBody } from '@/lib/schemas/memory';
import { createServices } from '@/lib/services';
import { ingestRequests, loadDataset, sessionTimestamp, turnText, type Conversation } from './dataset';
import { pct, score, type QuestionResult } from './metrics';

const { values } = parseArgs({ options: { dataset: { type: 'string' }, 'data-dir': { type: 'string' }, only: { type: 'string' }, store: { type: 'boolean' } } });
if (!values.dataset) throw new Error('usage: npm run eval:tune -- --dataset <path> [--data-dir <dir>] [--only <setting name>] [--store]');
const dataset = loadDataset(values.dataset);
const keep = Boolean(values['data-dir']);
const dataDir = values['data-dir'] ? path.resolve(values['data-dir']) : fs.mkdtempSync(path.join(os.tmpdir(), 'memory-layer-tune-'));
const savedFile = path.join(dataDir, 'lab.json');
const saved = keep && fs.existsSync(savedFile) ? (JSON.parse(fs.readFileSync(savedFile, 'utf8')) as Saved) : null;
const services = await createServices(parseEnv({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
const accountId = saved?.accountId ?? (await services.db.query<{ id: string }>(`insert into accounts (plan) values ('enterprise') returning id`))[0]!.id;
const ctx = createContext(services, { account: { id: accountId, plan: 'enterprise' }, caller: { type: 'system', name: 'script' }, requestId: 'tune' });

interface Saved {
  accountId: string;
  conversations: { id: string; endUser: string; turnsOf: [string, string[]][] }[];
  stored?: { id: string; endUser: string; turnsOf: [string, string[]][] }[];
}

interface Loaded {
  conversation: Conversation;
  endUser: string;
  turnsOf: Map<string, string[]>;
}

async function load(conversation: Conversation): Promise<Loaded> {
  const endUser = `tune-${conversation.id}`;
  const turnsOf = new Map<string, string[]>();
  for (const { turns, body } of ingestRequests(conversation, endUser)) {
    const result = await ingestConversation({ ctx, input: IngestBody.parse(body) });
    for (const memory of result.memories) turnsOf.set(memory.id, [...(turnsOf.get(memory.id) ?? []), turns[memory.sourceMessageIndex]!.id]);
  }
  return { conversation, endUser, turnsOf };
}

const loaded: Loaded[] = [];
for (const conversation of dataset.conversations) {
  const previous = saved?.conversations.find((c) => c.id === conversation.id);
  if (previous) {
    loaded.push({ conversation, endUser: previous.endUser, turnsOf: new Map(previous.turnsOf) });
    continue;
  }
  const started = performance.now();
  loaded.push(await load(conversation));
  console.log(`loaded ${conversation.id} (${conversation.turns.length} turns) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
/** Each turn stored on its own, in order, as npm run eval's store mode sends them (POST /v1/memory/). */
async function loadByStore(conversation: Conversation): Promise<Loaded> {
  const endUser = `tune-store-${conversation.id}`;
  const turnsOf = new Map<string, string[]>();
  for (const turn of conversation.turns) {
    const input = StoreMemoryBody.parse({
      content: turnText(turn),
      external_user_id: endUser,
      metadata: { turn_id: turn.id, session_id: `${conversation.id}-session-${turn.session}` },
      ...sessionTimestamp(turn),
    });
    const row = await storeMemory({ ctx, input });
    turnsOf.set(row.id, [turn.id]);
  }
  return { conversation, endUser, turnsOf };
}

const stored: Loaded[] = [];
for (const conversation of values.store ? dataset.conversations : []) {
  const previous = saved?.stored?.find((c) => c.id === conversation.id);
  if (previous) {
    stored.push({ conversation, endUser: previous.endUser, turnsOf: new Map(previous.turnsOf) });
    continue;
  }
  const started = performance.now();
  stored.push(await loadByStore(conversation));
  console.log(`stored ${conversation.id} (${conversation.turns.length} turns) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

if (keep) {
  const toSave: Saved = {
    accountId,
    conversations: loaded.map(({ conversation, endUser, turnsOf }) => ({ id: conversation.id, endUser, turnsOf: [...turnsOf] })),
    stored: (stored.length > 0 ? stored.map(({ conversation, endUser, turnsOf }) => ({ id: conversation.id, endUser, turnsOf: [...turnsOf] })) : undefined) ?? saved?.stored,
  };
  fs.writeFileSync(savedFile, JSON.stringify(toSave));
}

const ranking = RANKING as { -readonly [K in keyof typeof RANKING]: number };
const defaults = { ...ranking };
const CATEGORIES: Record<number, string> = { 1: 'multi-hop', 2: 'temporal', 3: 'open-domain', 4: 'single-hop' };

type Result = QuestionResult & { conversationId: string; contextFound: number };

async function report(name: string, settings: Partial<typeof defaults>) {
  if (values.only && !name.includes(values.only)) return;
  Object.assign(ranking, defaults, settings);
  const results: Result[] = [];
  let lineCount = 0;
  let tokenCount = 0;
  const started = performance.now();
  for (const { conversation, endUser, turnsOf } of loaded) {
    for (const question of conversation.questions.filter((q) => q.category >= 1 && q.category <= 4)) {
      const ranked = await hybridSearch(ctx, { endUserId: endUser, text: question.q, limit: 20 });
      const block = await buildContext({ ctx, input: { userId: endUser, messages: [{ role: 'user', content: question.q }], tokenBudget: 1000 } });
      lineCount += block.lines.length;
      tokenCount += block.tokensUsed;
      const included = new Set(block.lines.flatMap((line) => turnsOf.get(line.memoryId) ?? []));
      results.push({
        category: question.category,
        evidence: question.evidence,
        ranked: ranked.map((r) => turnsOf.get(r.id) ?? []),
        latencyMs: 0,
        conversationId: conversation.id,
        contextFound: question.evidence.filter((id) => included.has(id)).length,
      });
    }
  }
  console.log(`  lines ${(lineCount / results.length).toFixed(1)} per block, ${(tokenCount / Math.max(1, lineCount)).toFixed(1)} tokens per line`);
  const s = score(results);
  const ms = (performance.now() - started) / results.length;
  const context = (of: Result[]) => pct(of.reduce((n, r) => n + r.contextFound, 0) / Math.max(1, of.reduce((n, r) => n + r.evidence.length, 0)));
  console.log(`\n${name}: R@1 ${pct(s.recall[1]!)}  R@5 ${pct(s.recall[5]!)}  R@10 ${pct(s.recall[10]!)}  R@20 ${pct(s.recall[20]!)}  Hit@10 ${pct(s.hit[10]!)}  Hit@20 ${pct(s.hit[20]!)}  MRR ${s.mrr.toFixed(3)}  context@1000 ${context(results)}  (${ms.toFixed(0)} ms/question: search + context)`);
  const perCategory = Object.entries(CATEGORIES).map(([c, label]) => `${label} ${pct(score(results.filter((r) => r.category === Number(c))).recall[10]!)}`).join(', ');
  console.log(`  R@10 by category: ${perCategory}`);
  for (const { conversation } of loaded) {
    const of = results.filter((r) => r.conversationId === conversation.id);
    const c = score(of);
    const categories = Object.entries(CATEGORIES).map(([k]) => pct(score(of.filter((r) => r.category === Number(k))).recall[10]!)).join('/');
    console.log(`  ${conversation.id}: R@10 ${pct(c.recall[10]!)}  Hit@20 ${pct(c.hit[20]!)}  MRR ${c.mrr.toFixed(3)}  context ${context(of)}  (R@10 mh/tmp/od/sh ${categories})`);
  }
  if (stored.length > 0) await reportStore(name);
}

/** The per-turn store path: every question through searchMemories (default mode, threshold 0, limit 20). */
async function reportStore(name: string) {
  const results: Result[] = [];
  for (const { conversation, endUser, turnsOf } of stored) {
    for (const question of conversation.questions.filter((q) => q.category >= 1 && q.category <= 4)) {
      const input = SearchMemoriesBody.parse({ query: question.q, external_user_id: endUser, limit: 20, similarity_threshold: 0 });
      const { results: found } = await searchMemories({ ctx, input });
      results.push({ category: question.category, evidence: question.evidence, ranked: found.map((r) => turnsOf.get(r.memory.id) ?? []), latencyMs: 0, conversationId: conversation.id, contextFound: 0 });
    }
  }
  const s = score(results);
  const perCategory = Object.entries(CATEGORIES).map(([c, label]) => `${label} ${pct(score(results.filter((r) => r.category === Number(c))).recall[10]!)}`).join(', ');
  console.log(`${name} [store → /v1/memory/search]: R@10 ${pct(s.recall[10]!)}  Hit@20 ${pct(s.hit[20]!)}  MRR ${s.mrr.toFixed(3)}`);
  console.log(`  R@10 by category: ${perCategory}`);
  for (const { conversation } of stored) {
    const c = score(results.filter((r) => r.conversationId === conversation.id));
    console.log(`  ${conversation.id}: R@10 ${pct(c.recall[10]!)}  Hit@20 ${pct(c.hit[20]!)}  MRR ${c.mrr.toFixed(3)}`);
  }
}

await report('defaults', {});
await drainDeferred();
await services.db.close();
if (!keep) fs.rmSync(dataDir, { recursive: true, force: true });

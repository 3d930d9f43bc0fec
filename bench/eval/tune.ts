// npm run eval:tune -- --dataset <path>
// Retrieval lab on the real code: ingests each conversation through ingestConversation (as POST /v1/ingest does),
// then runs every question through hybridSearch (as POST /v1/search does) once per ranking setting, changing only
// the RANKING constants in between, and prints Recall/Hit/MRR for each. In process, no HTTP: for choosing the
// defaults in lib/memory/ranking.ts; the HTTP evaluation (npm run eval) has the last word.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Ctx } from '@/lib/core/context';
import { IngestBody } from '@/lib/schemas/conversation';
import { parseEnv } from '@/lib/env';
import { hybridSearch } from '@/lib/memory/search/hybrid';
import { ingestConversation } from '@/lib/memory/ingest/ingest';
import { RANKING } from '@/lib/memory/search/ranking';
import { createServices } from '@/lib/services';
import { ingestRequests, loadDataset, type Conversation } from './dataset';
import { pct, score, type QuestionResult } from './metrics';

const { values } = parseArgs({ options: { dataset: { type: 'string' } } });
if (!values.dataset) throw new Error('usage: npm run eval:tune -- --dataset <path>');
const dataset = loadDataset(values.dataset);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'memory-layer-tune-'));
const services = await createServices(parseEnv({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
const [account] = await services.db.query<{ id: string }>(`insert into accounts (plan) values ('enterprise') returning id`);
const ctx: Ctx = { ...services, account: { id: account!.id, plan: 'enterprise' }, caller: { type: 'system', name: 'script' }, requestId: 'tune' };

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
  const started = performance.now();
  loaded.push(await load(conversation));
  console.log(`loaded ${conversation.id} (${conversation.turns.length} turns) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

const ranking = RANKING as { -readonly [K in keyof typeof RANKING]: number };
const defaults = { ...ranking };

async function report(name: string, settings: Partial<typeof defaults>) {
  Object.assign(ranking, defaults, settings);
  const results: QuestionResult[] = [];
  const started = performance.now();
  for (const { conversation, endUser, turnsOf } of loaded) {
    for (const question of conversation.questions.filter((q) => q.category >= 1 && q.category <= 4)) {
      const ranked = await hybridSearch(ctx, { endUserId: endUser, text: question.q, limit: 20 });
      results.push({ category: question.category, evidence: question.evidence, ranked: ranked.map((r) => turnsOf.get(r.id) ?? []), latencyMs: 0 });
    }
  }
  const s = score(results);
  const ms = (performance.now() - started) / results.length;
  console.log(`${name.padEnd(34)} R@1 ${pct(s.recall[1]!)}  R@5 ${pct(s.recall[5]!)}  R@10 ${pct(s.recall[10]!)}  R@20 ${pct(s.recall[20]!)}  Hit@20 ${pct(s.hit[20]!)}  MRR ${s.mrr.toFixed(3)}  ${ms.toFixed(0)} ms/search`);
}

await report('defaults', {});
await report('keyword list only', { vectorWeight: 0, entityBoost: 0 });
await report('vector list only', { keywordWeight: 0, entityBoost: 0 });
await report('candidates 50 per list', { candidateCount: 50 });
await report('keyword weight 0.8', { keywordWeight: 0.8 });
await report('keyword weight 1.2', { keywordWeight: 1.2 });
await report('entity boost 0.3', { entityBoost: 0.3 });
await report('entity boost 0.7', { entityBoost: 0.7 });
await report('no conversation boost', { conversationBoost: 0 });
await report('conversation boost 0.2', { conversationBoost: 0.2 });
await report('conversation boost 0.6', { conversationBoost: 0.6 });
await report('bm25 k1 0.8', { bm25K1: 0.8 });
await report('context weight 0.5', { contextWeight: 0.5 });
await services.db.query('update memories set context_embedding = null where account_id = $1', [ctx.account.id]);
await report('no context vectors', {});
await services.db.close();
fs.rmSync(dataDir, { recursive: true, force: true });

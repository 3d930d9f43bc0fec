// npm run eval:tune -- --dataset <path>
// Retrieval lab on the real code: ingests each conversation through ingestConversation (as POST /v1/ingest does),
// then runs every question through hybridSearch (as POST /v1/search does) once per ranking setting, changing only
// the RANKING constants in between, and prints Recall/Hit/MRR for each. In process, no HTTP: for choosing the
// defaults in lib/memory/ranking.ts; the HTTP evaluation (npm run eval) has the last word.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createContext } from '@/lib/core/context';
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
const ctx = createContext(services, { account: { id: account!.id, plan: 'enterprise' }, caller: { type: 'system', name: 'script' }, requestId: 'tune' });

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
  const results: (QuestionResult & { conversationId: string })[] = [];
  const started = performance.now();
  for (const { conversation, endUser, turnsOf } of loaded) {
    for (const question of conversation.questions.filter((q) => q.category >= 1 && q.category <= 4)) {
      const ranked = await hybridSearch(ctx, { endUserId: endUser, text: question.q, limit: 20 });
      results.push({ category: question.category, evidence: question.evidence, ranked: ranked.map((r) => turnsOf.get(r.id) ?? []), latencyMs: 0, conversationId: conversation.id });
    }
  }
  const s = score(results);
  const ms = (performance.now() - started) / results.length;
  console.log(`${name.padEnd(34)} R@1 ${pct(s.recall[1]!)}  R@5 ${pct(s.recall[5]!)}  R@10 ${pct(s.recall[10]!)}  R@20 ${pct(s.recall[20]!)}  Hit@20 ${pct(s.hit[20]!)}  MRR ${s.mrr.toFixed(3)}  ${ms.toFixed(0)} ms/search`);
  // Per category and per conversation: a setting worth keeping helps each conversation, not the average of a few.
  const perCategory = [1, 2, 3, 4].map((c) => `${c}:${pct(score(results.filter((r) => r.category === c)).recall[10]!)}`).join(' ');
  const perConversation = loaded.map(({ conversation }) => `${conversation.id}:${pct(score(results.filter((r) => r.conversationId === conversation.id)).recall[10]!)}`).join(' ');
  console.log(`${''.padEnd(34)} R@10 by category ${perCategory} | by conversation ${perConversation}`);
}

await report('defaults', {});
await services.db.query('update memories set context_embedding = null where account_id = $1', [ctx.account.id]);
await report('no context vectors', {});
await services.db.close();
fs.rmSync(dataDir, { recursive: true, force: true });

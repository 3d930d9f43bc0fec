import { ingestRequests, sessionTimestamp, turnText, type Conversation, type EvalDatasetT } from './dataset';
import { KS, pct, score, type QuestionResult, type Scores } from './metrics';

export type EvalMode = 'store' | 'ingest';
export type SearchPath = 'memory-search' | 'memory-search-semantic' | 'hybrid-search' | 'memory-search-again';

const PATH_LABELS: Record<SearchPath, string> = {
  'memory-search': 'POST /v1/memory/search (default: hybrid)',
  'memory-search-semantic': 'POST /v1/memory/search (mode semantic: cosine)',
  'hybrid-search': 'POST /v1/search (hybrid)',
  'memory-search-again': 'POST /v1/memory/search (default), the same questions asked again',
};

export interface EvalOptions {
  baseUrl: string;
  apiKey: string;
  dataset: EvalDatasetT;
  modes: EvalMode[];
  categories?: number[];
  concurrency?: number;
  /** Which search paths to score per mode (default: all four). */
  paths?: Partial<Record<EvalMode, SearchPath[]>>;
  /** Prefix for end user ids, so several runs can share one account. */
  runId?: string;
  log?: (line: string) => void;
}

export interface RunResult {
  mode: EvalMode;
  path: SearchPath;
  overall: Scores;
  byCategory: Record<number, Scores>;
  latency: { p50: number; p95: number };
  context: { avgTokens: number; evidenceRecall: number } | null;
}

const CATEGORY_NAMES: Record<number, string> = { 1: 'multi-hop', 2: 'temporal', 3: 'open-domain', 4: 'single-hop', 5: 'adversarial' };

async function api(options: EvalOptions, path: string, body: unknown, method = 'POST'): Promise<any> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${options.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json' },
      body: method === 'GET' ? undefined : JSON.stringify(body),
    });
    if (res.status === 429 && attempt < 5) {
      await new Promise((resolve) => setTimeout(resolve, Number(res.headers.get('retry-after') ?? 1) * 1000));
      continue;
    }
    if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${await res.text()}`);
    return res.json();
  }
}

async function pool<T>(items: T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) await task(items[next++]!);
  }));
}

/**
 * Stores every turn as one memory through POST /v1/memory/, in order, as an app saving each message would: the
 * session in metadata.session_id (the reference's field) and when it was said as timestamp. Sessions are stored in
 * parallel, each one's turns in order. Returns memory id → turn ids.
 */
async function loadByStore(options: EvalOptions, conversation: Conversation, endUser: string): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>();
  const sessions = [...new Set(conversation.turns.map((turn) => turn.session))];
  await pool(sessions, options.concurrency ?? 8, async (session) => {
    for (const turn of conversation.turns.filter((t) => t.session === session)) {
      const res = await api(options, '/v1/memory/', {
        content: turnText(turn),
        external_user_id: endUser,
        metadata: { turn_id: turn.id, session_id: `${conversation.id}-session-${turn.session}` },
        ...sessionTimestamp(turn),
      });
      map.set(res.memory.id, [turn.id]);
    }
  });
  return map;
}

/** Sends each session through POST /v1/ingest (every speaker as a user turn); maps memories back by sourceMessageIndex. */
async function loadByIngest(options: EvalOptions, conversation: Conversation, endUser: string): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>();
  for (const { turns, body } of ingestRequests(conversation, endUser)) {
    const res = await api(options, '/v1/ingest', body);
    for (const memory of res.memories as { id: string; sourceMessageIndex: number }[]) map.set(memory.id, [...(map.get(memory.id) ?? []), turns[memory.sourceMessageIndex]!.id]);
  }
  return map;
}

async function search(options: EvalOptions, path: SearchPath, endUser: string, query: string): Promise<string[]> {
  if (path !== 'hybrid-search') {
    const mode = path === 'memory-search-semantic' ? 'semantic' : 'hybrid';
    const res = await api(options, '/v1/memory/search', { query, external_user_id: endUser, limit: 20, similarity_threshold: 0, mode });
    return res.results.map((r: { memory: { id: string } }) => r.memory.id);
  }
  const res = await api(options, '/v1/search', { userId: endUser, query, limit: 20 });
  return res.memories.map((m: { id: string }) => m.id);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

/** Loads each conversation through the real HTTP API, asks every question, and scores the rankings. */
export async function runEvaluation(options: EvalOptions): Promise<RunResult[]> {
  const log = options.log ?? (() => {});
  const categories = options.categories ?? [1, 2, 3, 4];
  const runs: RunResult[] = [];
  for (const mode of options.modes) {
    // Every path on the same memories; the default /v1/memory/search path twice, to show repeated questions change nothing.
    const paths: SearchPath[] = options.paths?.[mode] ?? ['memory-search', 'memory-search-semantic', 'hybrid-search', 'memory-search-again'];
    const results = new Map<SearchPath, QuestionResult[]>(paths.map((p) => [p, []]));
    const contextStats = { tokens: 0, calls: 0, evidenceFound: 0, evidenceTotal: 0 };
    for (const conversation of options.dataset.conversations) {
      const endUser = `${options.runId ?? 'eval'}-${mode}-${conversation.id}`;
      const started = performance.now();
      const memoryTurns = mode === 'store' ? await loadByStore(options, conversation, endUser) : await loadByIngest(options, conversation, endUser);
      log(`  ${mode}: ${conversation.id} loaded ${conversation.turns.length} turns as ${memoryTurns.size} memories in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      const questions = conversation.questions.filter((q) => categories.includes(q.category));
      for (const path of paths) {
        await pool(questions, 4, async (question) => {
          const t0 = performance.now();
          const ids = await search(options, path, endUser, question.q);
          results.get(path)!.push({ category: question.category, evidence: question.evidence, ranked: ids.map((id) => memoryTurns.get(id) ?? []), latencyMs: performance.now() - t0 });
        });
      }
      await pool(questions, 4, async (question) => {
        const res = await api(options, '/v1/context', { userId: endUser, messages: [{ role: 'user', content: question.q }], tokenBudget: 1000 });
        contextStats.tokens += res.tokensUsed;
        contextStats.calls += 1;
        const included = new Set((res.lines as { memoryId: string }[]).flatMap((line) => memoryTurns.get(line.memoryId) ?? []));
        contextStats.evidenceTotal += question.evidence.length;
        contextStats.evidenceFound += question.evidence.filter((id) => included.has(id)).length;
      });
    }
    for (const path of paths) {
      const all = results.get(path)!;
      const byCategory: Record<number, Scores> = {};
      for (const category of categories) byCategory[category] = score(all.filter((r) => r.category === category));
      runs.push({
        mode,
        path,
        overall: score(all),
        byCategory,
        latency: { p50: percentile(all.map((r) => r.latencyMs), 50), p95: percentile(all.map((r) => r.latencyMs), 95) },
        context: path === paths[0] && contextStats.calls ? { avgTokens: contextStats.tokens / contextStats.calls, evidenceRecall: contextStats.evidenceFound / Math.max(1, contextStats.evidenceTotal) } : null,
      });
    }
  }
  return runs;
}

export function formatResults(runs: RunResult[]): string {
  const lines: string[] = [];
  for (const run of runs) {
    lines.push(`\n${run.mode} → ${PATH_LABELS[run.path]}: ${run.overall.questions} questions, search p50 ${run.latency.p50.toFixed(1)} ms, p95 ${run.latency.p95.toFixed(1)} ms`);
    lines.push(`  ${'category'.padEnd(18)} ${KS.map((k) => `R@${k}`.padStart(7)).join('')} ${KS.map((k) => `Hit@${k}`.padStart(8)).join('')}    MRR`);
    const row = (name: string, s: Scores) =>
      `  ${name.padEnd(18)} ${KS.map((k) => pct(s.recall[k]!).padStart(7)).join('')} ${KS.map((k) => pct(s.hit[k]!).padStart(8)).join('')} ${s.mrr.toFixed(3).padStart(6)}`;
    for (const [category, s] of Object.entries(run.byCategory)) lines.push(row(`${category} ${CATEGORY_NAMES[Number(category)] ?? ''} (${s.questions})`, s));
    lines.push(row('all', run.overall));
    if (run.context) lines.push(`  context (tokenBudget 1000): avg ${run.context.avgTokens.toFixed(0)} tokens, evidence turns included ${pct(run.context.evidenceRecall)}`);
  }
  return lines.join('\n');
}

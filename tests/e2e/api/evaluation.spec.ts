import path from 'node:path';
import { expect, test } from '@playwright/test';
import { loadDataset } from '@/bench/eval/dataset';
import { formatResults, runEvaluation } from '@/bench/eval/run-eval';
import { signUpWithKey } from '@/tests/e2e/helpers';

// The retrieval evaluation on our own small dataset, through the real HTTP API of the production build.
test('evaluation: hybrid search finds the evidence of our fixture conversation', async ({ request, baseURL }) => {
  test.setTimeout(120_000);
  const { apiKey } = await signUpWithKey(request);
  const dataset = loadDataset(path.join('tests', 'fixtures', 'eval-mini.json'));
  // The paths asserted below, so the run stays within the Pro plan's 120 requests a minute.
  const paths = { store: ['memory-search', 'hybrid-search', 'memory-search-again'], ingest: ['hybrid-search'] } as const;
  const runs = await runEvaluation({ baseUrl: baseURL!, apiKey, dataset, modes: ['store', 'ingest'], runId: 'e2e', paths: { store: [...paths.store], ingest: [...paths.ingest] } });
  console.log(formatResults(runs));
  const hybridIngest = runs.find((run) => run.mode === 'ingest' && run.path === 'hybrid-search')!;
  const hybridStore = runs.find((run) => run.mode === 'store' && run.path === 'hybrid-search')!;
  const memorySearchStore = runs.find((run) => run.mode === 'store' && run.path === 'memory-search')!;
  const askedAgain = runs.find((run) => run.mode === 'store' && run.path === 'memory-search-again')!;
  const contextIngest = runs.find((run) => run.mode === 'ingest' && run.context)!;
  expect(hybridIngest.overall.questions).toBe(12);
  // Quality floors on a dataset small enough to reason about by hand: every answer is one clear turn.
  expect(hybridIngest.overall.hit[5]).toBeGreaterThanOrEqual(0.9);
  expect(hybridStore.overall.hit[5]).toBeGreaterThanOrEqual(0.9);
  expect(memorySearchStore.overall.hit[5]).toBeGreaterThanOrEqual(0.9);
  // Asking the same questions again scores the same: reads do not change the ranking.
  expect(askedAgain.overall).toEqual(memorySearchStore.overall);
  expect(contextIngest.context!.evidenceRecall).toBeGreaterThan(0.8);
});

// npm run eval -- --dataset <path> [--mode store|ingest|both] [--port 3400]
// Starts the production build on a fresh database, loads the dataset through the real HTTP API and prints
// Recall@k, Hit@k and MRR per category, context tokens and search latency. Default dataset: our own fixture.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createAccountAndKey, startServer } from '@/bench/lib';
import { loadDataset } from './dataset';
import { formatResults, runEvaluation, type EvalMode } from './run-eval';

const { values } = parseArgs({
  options: {
    dataset: { type: 'string', default: path.join('tests', 'fixtures', 'eval-mini.json') },
    mode: { type: 'string', default: 'both' },
    port: { type: 'string', default: '3400' },
  },
});
const modes: EvalMode[] = values.mode === 'both' ? ['store', 'ingest'] : [values.mode as EvalMode];
const dataset = loadDataset(values.dataset!);
console.log(`Evaluating ${values.dataset}: ${dataset.conversations.length} conversations, ${dataset.conversations.reduce((n, c) => n + c.turns.length, 0)} turns; modes ${modes.join(', ')}`);
const server = await startServer(Number(values.port));
try {
  const { apiKey } = await createAccountAndKey(server.baseUrl);
  const runs = await runEvaluation({ baseUrl: server.baseUrl, apiKey, dataset, modes, log: console.log });
  console.log(formatResults(runs));
} finally {
  await server.stop();
}

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLocalEmbedder } from '@/lib/embeddings/local';
import { MAX_EMBED_CHARS } from '@/lib/embeddings/by-length';
import { createLocalWorkerEmbedder, takeNextCall } from '@/lib/embeddings/local-worker';

describe('local embedder in a worker thread', () => {
  it('gives the same vectors as the in-process model, for several texts at once', async () => {
    const texts = ['User prefers dark mode and uses VS Code', 'I just moved to Bristol'];
    const [fromWorker, inProcess] = await Promise.all([createLocalWorkerEmbedder().embed(texts), createLocalEmbedder().embed(texts)]);
    expect(fromWorker).toHaveLength(2);
    expect(fromWorker[0]).toHaveLength(512);
    fromWorker.forEach((vector, i) => vector.forEach((value, j) => expect(value).toBeCloseTo(inProcess[i]![j]!, 5)));
  });

  it('answers each of many concurrent calls with its own vectors (calls that queue up share one model call)', async () => {
    const texts = ['I just moved to Bristol', 'My sister is learning jazz piano', 'The client bought a used Tesla last week', 'dark mode', 'We adopted a golden retriever named Max'];
    const worker = createLocalWorkerEmbedder(1);
    const fromWorker = await Promise.all(texts.map((text) => worker.embed([text])));
    const inProcess = await createLocalEmbedder().embed(texts);
    fromWorker.forEach(([vector], i) => vector!.forEach((value, j) => expect(value).toBeCloseTo(inProcess[i]![j]!, 5)));
  });

  it('answers a one-line query sent after a large batch before the batch is done: it waits for one call, not the batch', async () => {
    const worker = createLocalWorkerEmbedder(1);
    await worker.embed(['warm up']);
    const paragraph = 'We talked for a long time about the trip, the weather, the food and the people we met there. ';
    const batch = Array.from({ length: 12 }, (_, i) => `${i} ${paragraph.repeat(30)}`.slice(0, MAX_EMBED_CHARS));
    const finished: string[] = [];
    const big = worker.embed(batch).then(() => finished.push('batch'));
    const query = worker.embed(['where did we go?']).then(() => finished.push('query'));
    await Promise.all([big, query]);
    expect(finished).toEqual(['query', 'batch']);
  });

  it('takes the shortest waiting requests first, within one call\'s limits, and overdue ones before anything', () => {
    const item = (name: string, chars: number, since: number) => ({ name, texts: [name], chars, since });
    const waiting = [item('batch', 8_000, 1_000), item('query', 20, 1_500), item('store', 300, 1_400)];
    expect(takeNextCall(waiting, 1_600).map((w) => w.name)).toEqual(['query', 'store']);
    expect(takeNextCall(waiting, 3_100).map((w) => w.name)).toEqual(['batch']);
    expect(takeNextCall([item('a', 9_000, 0)], 10).map((w) => w.name)).toEqual(['a']);
  });

  it('keeps a script alive while it awaits only the model, and lets it exit once the model is idle', () => {
    // A process whose only pending work is the worker's answer used to exit silently (the worker was unref'd).
    const script = `
      const { createLocalWorkerEmbedder } = await import(${JSON.stringify(path.resolve('lib/embeddings/local-worker.ts'))});
      const embedder = createLocalWorkerEmbedder();
      const [first] = await embedder.embed(['one']);
      await new Promise((resolve) => setTimeout(resolve, 10));
      const [second] = await embedder.embed(['two']);
      console.log('dims', first.length, second.length);
    `;
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'worker-alive-')), 'script.mts');
    fs.writeFileSync(file, script);
    try {
      const output = execFileSync(path.resolve('node_modules/.bin/tsx'), [file], { encoding: 'utf8', timeout: 120_000 });
      expect(output.trim()).toBe('dims 512 512');
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  }, 150_000);
});

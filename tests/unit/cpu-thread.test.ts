import { threadId } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { runOffThread } from '@/lib/memory/cpu-thread/thread';
import { createOfflineExtractor } from '@/lib/memory/ingest/extraction/offline';
import { extractOfflineFacts } from '@/lib/memory/ingest/extraction/offline-facts';
import { createOfflineLlm } from '@/lib/llm/offline';
import { clusterByCentroid } from '@/lib/memory/maintenance/clustering';
import type { ConversationMessage } from '@/lib/memory/ingest/extraction';

const conversation: ConversationMessage[] = [
  { role: 'assistant', content: 'Where do you live these days?' },
  { role: 'user', content: 'I just moved to Bristol with my sister Anna.' },
  { role: 'user', content: 'I work at Siemens as an engineer.' },
  { role: 'user', content: 'thanks!' },
  { role: 'user', name: 'Bo', content: 'My favourite colour is green.' },
];

describe('offline extraction in the CPU thread', () => {
  it('runs off this thread and gives the same facts as extracting here', async () => {
    const result = await runOffThread('extract', conversation);
    expect(result.threadId).not.toBe(threadId);
    expect(result.result).toEqual(extractOfflineFacts(conversation));
    expect(result.result.map((fact) => fact.slot)).toEqual(['location:home', 'work:employer', 'preference:favorite colour']);
  });

  it('answers concurrent conversations each with its own facts', async () => {
    const conversations = Array.from({ length: 6 }, (_, i): ConversationMessage[] => [{ role: 'user', content: `I live in Lisbon and my dog is called Pepper${'!'.repeat(i)}` }, { role: 'user', content: 'i like x '.repeat(3_000 + i) }]);
    const results = await Promise.all(conversations.map((messages) => runOffThread('extract', messages)));
    for (const [i, result] of results.entries()) {
      expect(result.threadId).not.toBe(threadId);
      expect(result.result).toEqual(extractOfflineFacts(conversations[i]!));
    }
  });

  it('is what the offline extractor uses', async () => {
    const extracted = await createOfflineExtractor().extract({ userId: 'u', messages: conversation, existing: [] }, createOfflineLlm());
    expect(extracted.facts).toEqual(extractOfflineFacts(conversation));
  });
});

describe("summarisation's clustering in the CPU thread", () => {
  it('runs off this thread and gives the clusters clustering here gives, as member indices', async () => {
    // 300 vectors of 64 dimensions around 6 directions, in a fixed pseudo-random order.
    let seed = 42;
    const next = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648) - 0.5;
    const directions = Array.from({ length: 6 }, () => Array.from({ length: 64 }, next));
    const embeddings = Array.from({ length: 300 }, (_, i) => directions[(i * 7) % 6]!.map((value) => value + next() * 0.3));
    const { result, threadId: workerThread } = await runOffThread('cluster', { embeddings, threshold: 0.7, maxSize: 20 });
    expect(workerThread).not.toBe(threadId);
    const here = clusterByCentroid(embeddings.map((embedding, i) => ({ id: String(i), embedding })), 0.7, 20).map((members) => members.map((member) => Number(member.id)));
    expect(result).toEqual(here);
    expect(result.length).toBeGreaterThanOrEqual(15); // 6 topics × 50 vectors in clusters of at most 20
    expect(result.flat().sort((a, b) => a - b)).toEqual(embeddings.map((_, i) => i));
  });
});

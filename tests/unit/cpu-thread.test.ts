import { threadId } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { extractOffThread } from '@/lib/memory/ingest/extraction/extraction-thread';
import { createOfflineExtractor } from '@/lib/memory/ingest/extraction/offline';
import { extractOfflineFacts } from '@/lib/memory/ingest/extraction/offline-facts';
import { createOfflineLlm } from '@/lib/llm/offline';
import type { ConversationMessage } from '@/lib/memory/ingest/extraction';

const conversation: ConversationMessage[] = [
  { role: 'assistant', content: 'Where do you live these days?' },
  { role: 'user', content: 'I just moved to Bristol with my sister Anna.' },
  { role: 'user', content: 'I work at Siemens as an engineer.' },
  { role: 'user', content: 'thanks!' },
  { role: 'user', name: 'Bo', content: 'My favourite colour is green.' },
];

describe('offline extraction in a worker thread', () => {
  it('runs off this thread and gives the same facts as extracting here', async () => {
    const result = await extractOffThread(conversation);
    expect(result.threadId).not.toBe(threadId);
    expect(result.facts).toEqual(extractOfflineFacts(conversation));
    expect(result.facts.map((fact) => fact.slot)).toEqual(['location:home', 'work:employer', 'preference:favorite colour']);
  });

  it('answers concurrent conversations each with its own facts', async () => {
    const conversations = Array.from({ length: 6 }, (_, i): ConversationMessage[] => [{ role: 'user', content: `I live in Lisbon and my dog is called Pepper${'!'.repeat(i)}` }, { role: 'user', content: 'i like x '.repeat(3_000 + i) }]);
    const results = await Promise.all(conversations.map((messages) => extractOffThread(messages)));
    for (const [i, result] of results.entries()) {
      expect(result.threadId).not.toBe(threadId);
      expect(result.facts).toEqual(extractOfflineFacts(conversations[i]!));
    }
  });

  it('is what the offline extractor uses', async () => {
    const extracted = await createOfflineExtractor().extract({ userId: 'u', messages: conversation, existing: [] }, createOfflineLlm());
    expect(extracted.facts).toEqual(extractOfflineFacts(conversation));
  });
});

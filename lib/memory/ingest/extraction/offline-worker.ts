// The worker thread's side of offline extraction (extraction-thread.ts starts it): one request at a time.
import { parentPort, threadId } from 'node:worker_threads';
import { extractOfflineFacts } from './offline-facts';
import type { ConversationMessage } from './types';

parentPort?.on('message', ({ id, messages }: { id: number; messages: ConversationMessage[] }) => {
  try {
    parentPort!.postMessage({ id, facts: extractOfflineFacts(messages), threadId });
  } catch (error) {
    parentPort!.postMessage({ id, error: String((error as Error)?.message ?? error), threadId });
  }
});

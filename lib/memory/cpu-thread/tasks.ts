// What the CPU thread can do (thread.ts runs these off the main thread, worker.ts is the thread's side). Each task is a
// pure function of plain data: its input and result cross the thread boundary by structured clone.
import { extractOfflineFacts, factOfMessage } from '@/lib/memory/ingest/extraction/offline-facts';
import type { ConversationMessage, ExtractedFact } from '@/lib/memory/ingest/extraction/types';
import { clusterByCentroid } from '@/lib/memory/maintenance/clustering';

export interface ClusterInput {
  embeddings: number[][];
  threshold: number;
  maxSize: number;
}

export const TASKS = {
  /** Offline extraction of a conversation (compromise and the rules): tens of milliseconds per long message. */
  extract: (messages: ConversationMessage[]): ExtractedFact[] => extractOfflineFacts(messages),
  /**
   * Leader clustering by centroid (clusterByCentroid) of up to a few thousand vectors: O(items × clusters × dimensions),
   * seconds of CPU for one end user. Returns each cluster as the indices of its members in the input.
   */
  cluster: ({ embeddings, threshold, maxSize }: ClusterInput): number[][] =>
    clusterByCentroid(
      embeddings.map((embedding, index) => ({ id: String(index), embedding })),
      threshold,
      maxSize,
    ).map((members) => members.map((member) => Number(member.id))),
};

export type TaskName = keyof typeof TASKS;
export type TaskInput<K extends TaskName> = Parameters<(typeof TASKS)[K]>[0];
export type TaskResult<K extends TaskName> = ReturnType<(typeof TASKS)[K]>;

/** Runs a task in the calling thread, splitting its work where it can so other requests run in between. */
export async function runHere<K extends TaskName>(task: K, input: TaskInput<K>): Promise<TaskResult<K>> {
  if (task === 'extract') {
    const messages = input as ConversationMessage[];
    const facts: ExtractedFact[] = [];
    // One message at a time, letting other requests run between messages.
    for (const index of messages.keys()) {
      if (index > 0) await new Promise((resolve) => setImmediate(resolve));
      const fact = factOfMessage(messages, index);
      if (fact) facts.push(fact);
    }
    return facts as TaskResult<K>;
  }
  return TASKS[task](input as never) as TaskResult<K>;
}

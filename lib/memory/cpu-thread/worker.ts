// The CPU thread's side (thread.ts starts it): runs one task at a time, in the order they arrive.
import { parentPort, threadId } from 'node:worker_threads';
import { TASKS, type TaskName } from './tasks';

parentPort?.on('message', ({ id, task, input }: { id: number; task: TaskName; input: never }) => {
  try {
    parentPort!.postMessage({ id, result: TASKS[task](input), threadId });
  } catch (error) {
    parentPort!.postMessage({ id, error: String((error as Error)?.message ?? error), threadId });
  }
});

import { describeError, log } from '@/lib/log';
import { drainDeferred } from './after-response';

const DRAIN_TIMEOUT_MS = 10_000;

/**
 * On SIGTERM/SIGINT: finish the work deferred after responses (request log, access counts, usage batches), close the
 * database if it was opened, then exit. Next's own handler exits at once, so deployments set
 * NEXT_MANUAL_SIG_HANDLE=true (npm start does) to leave the signal to this one.
 */
export function installGracefulShutdown(): void {
  let stopping = false;
  const shutdown = async (signal: 'SIGTERM' | 'SIGINT') => {
    if (stopping) return;
    stopping = true;
    const drained = await drainDeferred({ timeoutMs: DRAIN_TIMEOUT_MS });
    if (!drained) log.error('shutdown: deferred work still running after the drain timeout', { timeoutMs: DRAIN_TIMEOUT_MS });
    try {
      const { closeServices } = await import('@/lib/services');
      await closeServices();
    } catch (error) {
      log.warn('shutdown: the database could not be closed', describeError(error));
    }
    process.exit(signal === 'SIGTERM' ? 143 : 130);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

// Next.js start-up hook: on SIGTERM/SIGINT, finish the work deferred after responses (request log, access counts,
// usage batches) and close the database before exiting. Next's own handler exits at once, so deployments set
// NEXT_MANUAL_SIG_HANDLE=true to leave the signal to this one.
const DRAIN_TIMEOUT_MS = 10_000;

export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { drainDeferred } = await import('@/lib/core/after-response');
  const { log } = await import('@/lib/log');
  let stopping = false;
  const shutdown = async (signal: 'SIGTERM' | 'SIGINT') => {
    if (stopping) return;
    stopping = true;
    const drained = await drainDeferred({ timeoutMs: DRAIN_TIMEOUT_MS });
    if (!drained) log.error('shutdown: deferred work still running after the drain timeout', { timeoutMs: DRAIN_TIMEOUT_MS });
    try {
      const { closeServices } = await import('@/lib/services');
      await closeServices();
    } catch {
      // the database failed to open, or is already closed
    }
    process.exit(signal === 'SIGTERM' ? 143 : 130);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

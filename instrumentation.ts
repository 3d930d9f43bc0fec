// Next.js start-up hook. The shutdown handler is Node-only, so it is imported only in the nodejs runtime (the edge
// build of this file then holds no Node API).
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { installGracefulShutdown } = await import('@/lib/core/shutdown');
  installGracefulShutdown();
  // Maintenance runs whose process stopped (a deploy, a crash) are taken over and resumed once their heartbeat is stale.
  const { resumeAfterStart } = await import('@/lib/memory/maintenance/resume');
  resumeAfterStart(async () => (await import('@/lib/services')).getServices());
}

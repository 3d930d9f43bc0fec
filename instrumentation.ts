// Next.js start-up hook. The shutdown handler is Node-only, so it is imported only in the nodejs runtime (the edge
// build of this file then holds no Node API).
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { installGracefulShutdown } = await import('@/lib/core/shutdown');
  installGracefulShutdown();
}

import { currentTimings } from '@/lib/core/timings';

// Server-Timing (https://www.w3.org/TR/server-timing/) of the current request.

/** `embed;dur=8.1, db;dur=3.2;desc="4 queries", app;dur=2.0, total;dur=13.3` for the current request. */
export function serverTimingHeader(totalMs: number): string | undefined {
  const timings = currentTimings();
  if (!timings) return undefined;
  const app = Math.max(0, totalMs - timings.spent.embed - timings.spent.db);
  const format = (value: number) => value.toFixed(1);
  return [
    `embed;dur=${format(timings.spent.embed)}`,
    `db;dur=${format(timings.spent.db)};desc="${timings.calls.db} queries"`,
    `app;dur=${format(app)}`,
    `total;dur=${format(totalMs)}`,
  ].join(', ');
}


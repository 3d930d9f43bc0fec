// GET|POST /api/cron/maintenance – scheduled maintenance of every account (Vercel Cron); Bearer CRON_SECRET
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { errorResponse } from '@/lib/api/error-response';
import { OPERATIONS } from '@/lib/api/operations';
import { servesOperation } from '@/lib/api/route';
import { ApiError } from '@/lib/errors';
import { runScheduledMaintenance } from '@/lib/memory/maintenance/scheduled';
import { getServices } from '@/lib/services';

export const maxDuration = 300;

function authorized(header: string | null, secret: string): boolean {
  const expected = Buffer.from(`Bearer ${secret}`);
  const given = Buffer.from(header ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function handle(request: Request): Promise<Response> {
  const requestId = randomUUID();
  try {
    const services = await getServices();
    const secret = services.env.CRON_SECRET;
    if (!secret) throw new ApiError('not_found', 'Scheduled maintenance is off: set CRON_SECRET to enable this route.');
    if (!authorized(request.headers.get('authorization'), secret)) throw new ApiError('unauthorized', 'Invalid cron secret');
    return Response.json(await runScheduledMaintenance(services, 'cron'), { headers: { 'X-Request-Id': requestId } });
  } catch (error) {
    return errorResponse(error, requestId);
  }
}

export const GET = servesOperation(OPERATIONS.cronMaintenanceGet, handle);
export const POST = servesOperation(OPERATIONS.cronMaintenance, handle);

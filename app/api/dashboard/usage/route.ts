// GET /api/dashboard/usage – requests per day (30 days), latency p50/p95, recent errors
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { getUsageReport } from '@/lib/metering/request-log';

export const GET = route(OPERATIONS.dashboardUsage, ({ ctx }) => getUsageReport({ ctx }));

// GET /api/dashboard/usage – requests per day (30 days), latency p50/p95, recent errors
import { route } from '@/lib/api/route';
import { getUsageReport } from '@/lib/billing/usage-report';

export const GET = route({ auth: 'session' }, ({ ctx }) => getUsageReport({ ctx }));

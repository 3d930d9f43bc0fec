// GET /api/dashboard/billing – plans, the account's plan and subscription status
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { getBilling } from '@/lib/billing/billing-service';

export const GET = route(OPERATIONS.dashboardBilling, ({ ctx }) => getBilling({ ctx }));

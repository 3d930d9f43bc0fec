// GET /api/dashboard/billing – plans, the account's plan and subscription status
import { route } from '@/lib/api/route';
import { getBilling } from '@/lib/billing/billing-service';

export const GET = route({ auth: 'session' }, ({ ctx }) => getBilling({ ctx }));

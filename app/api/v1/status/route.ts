// GET /api/v1/status – account plan, usage and limits
import { route } from '@/lib/api/route';
import { getAccountStatus } from '@/lib/billing/account-status';

export const GET = route({ auth: 'apiKey' }, ({ ctx }) => getAccountStatus({ ctx }));

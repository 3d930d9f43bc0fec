// GET /v1/status – account plan, usage and limits
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { getAccountStatus } from '@/lib/metering/account-status';

export const GET = route(OPERATIONS.getAccountStatus, ({ ctx }) => getAccountStatus({ ctx }));

// GET / POST /api/dashboard/settings – the account's settings (scheduled pruning is opt-in)
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { getMaintenanceSettings, setMaintenanceSettings } from '@/lib/memory/maintenance/settings';

export const GET = route(OPERATIONS.dashboardSettings, ({ ctx }) => getMaintenanceSettings({ ctx }));
export const POST = route(OPERATIONS.dashboardUpdateSettings, ({ ctx, body }) => setMaintenanceSettings({ ctx, input: body }));

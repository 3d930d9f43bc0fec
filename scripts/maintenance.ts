// npm run maintenance — runs every maintenance job for every account (for a shell cron, e.g. weekly).
import { getEnv } from '@/lib/env';
import { runScheduledMaintenance } from '@/lib/memory/maintenance/scheduled';
import { createServices } from '@/lib/services';

const services = await createServices(getEnv());
const summary = await runScheduledMaintenance(services, 'script');
console.log(JSON.stringify(summary, null, 2));
await services.db.close();
process.exit(summary.failed > 0 ? 1 : 0);

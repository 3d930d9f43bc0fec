// GET /api/v1/memories – memories with page/pageSize and filters (userId, agentId, category)
import { route } from '@/lib/api/route';
import { M3ListQuery } from '@/lib/api/schemas/m3mory';
import { listConversationMemories } from '@/lib/memory/m3-memories';

export const GET = route({ auth: 'apiKey', query: M3ListQuery }, ({ ctx, query }) => listConversationMemories({ ctx, input: query }));

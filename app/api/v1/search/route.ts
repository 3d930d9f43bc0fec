// POST /api/v1/search – hybrid search with categories, metadata and agent filters (m3mory shape)
import { route } from '@/lib/api/route';
import { M3SearchBody } from '@/lib/api/schemas/m3mory';
import { searchConversationMemories } from '@/lib/memory/m3-search';

export const POST = route({ auth: 'apiKey', body: M3SearchBody, access: 'read' }, ({ ctx, body }) => searchConversationMemories({ ctx, input: body }));

// POST /api/v1/ingest – extract and store memories (facts, entities, edges) from a conversation
import { route } from '@/lib/api/route';
import { IngestBody } from '@/lib/api/schemas/m3mory';
import { ingestConversation } from '@/lib/memory/ingest';

export const POST = route({ auth: 'apiKey', body: IngestBody }, ({ ctx, body }) => ingestConversation({ ctx, input: body }));

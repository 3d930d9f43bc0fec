// POST /v1/ingest – extract and store memories (facts, entities, edges) from a conversation
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { ingestConversation } from '@/lib/memory/ingest/ingest';

export const POST = route(OPERATIONS.ingestConversation, ({ ctx, body }) => ingestConversation({ ctx, input: body }));

// POST /v1/import – JSON Lines from /v1/export back in (ids, metadata, timestamps kept; other models re-embedded)
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { importMemories } from '@/lib/memory/portability/import';

export const POST = route(OPERATIONS.importMemories, ({ ctx, body }) => importMemories({ ctx, input: { text: body } }));

// GET    /api/v1/memory/{memory_id} – one memory
// DELETE /api/v1/memory/{memory_id} – delete it permanently
import { route } from '@/lib/api/route';
import { MemoryIdParams, ScopeQuery } from '@/lib/api/schemas/memory';
import { deleteMemory, getMemory } from '@/lib/memory/memories';

const options = { auth: 'apiKey', params: MemoryIdParams, query: ScopeQuery } as const;

export const GET = route(options, ({ ctx, params, query }) =>
  getMemory({ ctx, input: { memoryId: params.memory_id, externalUserId: query.external_user_id } }),
);
export const DELETE = route(options, ({ ctx, params, query }) =>
  deleteMemory({ ctx, input: { memoryId: params.memory_id, externalUserId: query.external_user_id } }),
);

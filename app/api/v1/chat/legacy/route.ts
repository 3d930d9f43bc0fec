// POST /api/v1/chat/legacy – the older chat shape: reply, memory_ids, mode, memories_used
import { route } from '@/lib/api/route';
import { LegacyChatBody } from '@/lib/api/schemas/chat';
import { chatLegacy, LEGACY_DEFAULT_END_USER } from '@/lib/memory/chat';

export const POST = route({ auth: 'apiKey', body: LegacyChatBody }, ({ ctx, body, request }) =>
  chatLegacy({ ctx, input: { ...body, external_user_id: body.external_user_id ?? LEGACY_DEFAULT_END_USER, stream: false }, signal: request.signal }),
);

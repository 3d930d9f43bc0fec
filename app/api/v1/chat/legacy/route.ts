// POST /v1/chat/legacy – the older chat shape: reply, memory_ids, mode, memories_used
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { chatLegacy, LEGACY_DEFAULT_END_USER } from '@/lib/memory/chat/chat';

export const POST = route(OPERATIONS.chatLegacy, ({ ctx, body, request }) =>
  chatLegacy({ ctx, input: { ...body, external_user_id: body.external_user_id ?? LEGACY_DEFAULT_END_USER, stream: false }, signal: request.signal }),
);

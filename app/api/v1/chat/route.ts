// POST /v1/chat – reply with this end user's memories injected into the prompt (JSON, or SSE with "stream": true)
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { chat, chatStream } from '@/lib/memory/chat/chat';

export const POST = route(OPERATIONS.chat, ({ ctx, body, request }) =>
  body.stream ? chatStream({ ctx, input: body, signal: request.signal }) : chat({ ctx, input: body, signal: request.signal }),
);

// POST /api/v1/chat – reply with this end user's memories injected into the prompt (JSON, or SSE with "stream": true)
import { route } from '@/lib/api/route';
import { ChatBody } from '@/lib/api/schemas/chat';
import { chat, chatStream } from '@/lib/memory/chat';

export const POST = route({ auth: 'apiKey', body: ChatBody }, ({ ctx, body, request }) =>
  body.stream ? chatStream({ ctx, input: body, signal: request.signal }) : chat({ ctx, input: body, signal: request.signal }),
);

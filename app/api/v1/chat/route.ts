// POST /v1/chat – reply with this end user's memories injected into the prompt (JSON, SSE with "stream": true, or the AI SDK UI message stream with "stream_format": "ui")
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { chat } from '@/lib/memory/chat/chat';
import { chatStream, chatUiStream } from '@/lib/memory/chat/stream';

export const POST = route(OPERATIONS.chat, ({ ctx, body, request }) => {
  const args = { ctx, input: body, signal: request.signal };
  if (body.stream_format === 'ui') return chatUiStream(args);
  return body.stream ? chatStream(args) : chat(args);
});

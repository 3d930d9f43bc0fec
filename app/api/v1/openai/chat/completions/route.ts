// POST /v1/openai/chat/completions – OpenAI-compatible chat completions with the end user's memories injected (JSON, or chunks with "stream": true)
import { OPERATIONS } from '@/lib/api/operations';
import { withOpenAiErrors } from '@/lib/api/openai-errors';
import { route } from '@/lib/api/route';
import { openAiChatCompletion } from '@/lib/memory/chat/openai';
import { END_USER_HEADER } from '@/lib/schemas/common';

export const POST = withOpenAiErrors(
  route(OPERATIONS.openAiChatCompletion, ({ ctx, body, request }) =>
    openAiChatCompletion({
      ctx,
      input: body,
      hints: { endUserHeader: request.headers.get(END_USER_HEADER), conversationHeader: request.headers.get('x-conversation-id') },
      signal: request.signal,
    }),
  ),
);

// POST /api/dashboard/chat – the Playground: chat as one end user of the signed-in account
import { route } from '@/lib/api/route';
import { ChatBody } from '@/lib/api/schemas/chat';
import { chat } from '@/lib/memory/chat';

export const POST = route({ auth: 'session', body: ChatBody }, ({ ctx, body, request }) => chat({ ctx, input: { ...body, stream: false }, signal: request.signal }));

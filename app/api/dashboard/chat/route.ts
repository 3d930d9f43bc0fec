// POST /api/dashboard/chat – the Playground: chat as one end user of the signed-in account
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { chat } from '@/lib/memory/chat/chat';

export const POST = route(OPERATIONS.dashboardChat, ({ ctx, body, request }) => chat({ ctx, input: { ...body, stream: false }, signal: request.signal }));

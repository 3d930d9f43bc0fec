// POST /api/v1/context – a prompt-ready block of what is known about the user, within a token budget
import { route } from '@/lib/api/route';
import { ContextBody } from '@/lib/api/schemas/m3mory';
import { buildContext } from '@/lib/memory/context';

export const POST = route({ auth: 'apiKey', body: ContextBody, access: 'read' }, ({ ctx, body }) => buildContext({ ctx, input: body }));

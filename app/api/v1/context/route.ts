// POST /v1/context – a prompt-ready block of what is known about the user, within a token budget
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { buildContext } from '@/lib/memory/context/build-context';

export const POST = route(OPERATIONS.buildContext, ({ ctx, body }) => buildContext({ ctx, input: body }));

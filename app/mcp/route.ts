// POST /mcp – the MCP server (Streamable HTTP, stateless): memory tools for agents, with an API key
import { OPERATIONS } from '@/lib/api/operations';
import { route } from '@/lib/api/route';
import { serveMcp } from '@/lib/mcp/server';

export const POST = route(OPERATIONS.mcp, ({ ctx, request, body, query }) => serveMcp({ ctx, request, message: body, endUserQuery: query.external_user_id }));

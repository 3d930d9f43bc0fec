import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Ctx } from '@/lib/core/context';
import { ApiError, type ErrorCode } from '@/lib/errors';
import { END_USER_HEADER } from '@/lib/schemas/common';
import { sessionEndUser } from './end-user';
import { registerMemoryTools, type McpSession } from './tools';

export const MCP_SERVER_INFO = { name: 'memory-layer', title: 'Memory Layer', version: '1.0.0' };

/** Bounds what one tools/call may carry (metadata is the only open-ended argument; the body is already capped). */
const MAX_TOOL_INPUT_ELEMENTS = 2_000;

const INSTRUCTIONS =
  'Long-term memory of the end users of this app. Every call is about one end user: pass "external_user_id" in the ' +
  `arguments unless the connection names one (${END_USER_HEADER} header or ?external_user_id= on the URL). Before ` +
  'answering, call get_context (or recall) with the user’s message; call remember for durable facts the user shares ' +
  '(preferences, plans, details of their life or work); forget removes one memory by id.';

/** One MCP server over one account's context: the five memory tools and the memories resource. */
export function createMcpServer(session: McpSession): McpServer {
  const server = new McpServer(MCP_SERVER_INFO, { instructions: INSTRUCTIONS, maxToolInputElements: MAX_TOOL_INPUT_ELEMENTS });
  registerMemoryTools(server, session);
  return server;
}

const CODE_BY_STATUS: Record<number, ErrorCode> = { 404: 'not_found', 413: 'payload_too_large', 415: 'unsupported_media_type' };

/** A refusal of the transport itself (a JSON-RPC error with a 4xx) in the API's {detail} shape. */
async function transportError(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => undefined)) as { error?: { message?: unknown } } | undefined;
  const message = typeof body?.error?.message === 'string' ? body.error.message : `MCP transport refused the request (${response.status})`;
  return new ApiError(CODE_BY_STATUS[response.status] ?? 'bad_request', message);
}

/**
 * The request as the transport reads it. The body was read and validated by route(); every answer is JSON
 * (enableJsonResponse), so a client that leaves out the Accept header Streamable HTTP asks for is answered all the same.
 */
function forTransport(request: Request): Request {
  const headers = new Headers(request.headers);
  headers.set('accept', 'application/json, text/event-stream');
  headers.set('content-type', 'application/json');
  headers.delete('content-length');
  return new Request(request.url, { method: 'POST', headers });
}

/**
 * POST /mcp, stateless: a fresh server and transport answer one JSON-RPC message and are closed, so any instance of a
 * serverless deployment can answer any request. The end user comes from the connection (header or query) or the call.
 */
export async function serveMcp({ ctx, request, message, endUserQuery }: { ctx: Ctx; request: Request; message: unknown; endUserQuery: string | undefined }): Promise<Response> {
  const endUserId = sessionEndUser(request.headers.get(END_USER_HEADER), endUserQuery);
  const server = createMcpServer({ ctx, endUserId });
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  await server.connect(transport);
  try {
    const response = await transport.handleRequest(forTransport(request), { parsedBody: message });
    if (response.status >= 400) throw await transportError(response);
    return response;
  } finally {
    await server.close();
  }
}

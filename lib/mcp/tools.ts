import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import { OPERATIONS, type Operation } from '@/lib/api/operations';
import { meter, requiredAccess } from '@/lib/api/route';
import { checkAccess } from '@/lib/core/access';
import type { Ctx } from '@/lib/core/context';
import { ApiError } from '@/lib/errors';
import { describeError, log } from '@/lib/log';
import { buildContext } from '@/lib/memory/context/build-context';
import { deleteMemory, listMemories } from '@/lib/memory/records/memories';
import { storeMemory } from '@/lib/memory/records/store';
import { toMemoryView } from '@/lib/memory/records/views';
import { searchMemories } from '@/lib/memory/search/memory-search';
import { ExternalUserId } from '@/lib/schemas/common';
import { ContextResponse } from '@/lib/schemas/conversation';
import { ForgetArgs, GetContextArgs, ListMemoriesArgs, RecallArgs, RememberArgs } from '@/lib/schemas/mcp';
import { DeleteMemoryResponse, ListMemoriesResponse, SearchMemoriesResponse, StoreMemoryResponse } from '@/lib/schemas/memory';
import { endUserOfCall } from './end-user';

/** How many of an end user's memories the `memory://{external_user_id}` resource lists (newest first). */
export const RESOURCE_MEMORIES = 100;

export interface McpSession {
  ctx: Ctx;
  /** The end user the connection names, if any (see end-user.ts). */
  endUserId: string | undefined;
}

/** A tool, declared with the REST operation it mirrors: the same key scope is required and the same quota charged. */
interface ToolSpec<A extends z.ZodObject, R extends z.ZodType> {
  operation: Operation;
  title: string;
  description: string;
  input: A;
  output: R;
  readOnly: boolean;
  destructive?: boolean;
  run: (ctx: Ctx, args: z.output<A>, endUserId: string) => Promise<z.output<R>>;
}

const tool = <A extends z.ZodObject, R extends z.ZodType>(spec: ToolSpec<A, R>) => spec;

export const TOOLS = {
  remember: tool({
    operation: OPERATIONS.storeMemory,
    title: 'Remember',
    description: 'Store one fact about the end user (a preference, a plan, a detail about their life or work) so later conversations can recall it.',
    input: RememberArgs,
    output: StoreMemoryResponse,
    readOnly: false,
    run: async (ctx, args, endUserId) => {
      const row = await storeMemory({ ctx, input: { content: args.content, external_user_id: endUserId, metadata: args.metadata ?? {}, conversation_id: args.conversation_id } });
      return { status: 'success' as const, memory: toMemoryView(row) };
    },
  }),
  recall: tool({
    operation: OPERATIONS.searchMemories,
    title: 'Recall',
    description: "Search the end user's memories for what is relevant to a question (hybrid search: meaning, words, entities, time), best first.",
    input: RecallArgs,
    output: SearchMemoriesResponse,
    readOnly: true,
    run: (ctx, args, endUserId) =>
      searchMemories({ ctx, input: { query: args.query, external_user_id: endUserId, limit: args.limit, similarity_threshold: args.similarity_threshold, mode: 'hybrid', explain: false } }),
  }),
  get_context: tool({
    operation: OPERATIONS.buildContext,
    title: 'Get context',
    description: 'What is known about the end user that is relevant to a message, as a markdown block for the prompt, within a token budget.',
    input: GetContextArgs,
    output: ContextResponse,
    readOnly: true,
    run: (ctx, args, endUserId) => buildContext({ ctx, input: { userId: endUserId, messages: [{ role: 'user', content: args.query }], tokenBudget: args.token_budget } }),
  }),
  forget: tool({
    operation: OPERATIONS.deleteMemory,
    title: 'Forget',
    description: "Delete one of the end user's memories permanently, by its id (from remember, recall or list_memories).",
    input: ForgetArgs,
    output: DeleteMemoryResponse,
    readOnly: false,
    destructive: true,
    run: async (ctx, args, endUserId) => {
      const { id } = await deleteMemory({ ctx, input: { memoryId: args.memory_id, externalUserId: endUserId } });
      return { status: 'success' as const, id, deleted: true as const };
    },
  }),
  list_memories: tool({
    operation: OPERATIONS.listMemories,
    title: 'List memories',
    description: "The end user's memories, newest first, a page at a time (limit and offset; has_more says whether there is another page).",
    input: ListMemoriesArgs,
    output: ListMemoriesResponse,
    readOnly: true,
    run: (ctx, args, endUserId) => listPage(ctx, endUserId, args.limit, args.offset),
  }),
};

async function listPage(ctx: Ctx, endUserId: string, limit: number, offset: number): Promise<z.output<typeof ListMemoriesResponse>> {
  const { rows, total } = await listMemories({ ctx, input: { external_user_id: endUserId, limit, offset, archived: false } });
  return { memories: rows.map(toMemoryView), total_count: total, limit, offset, has_more: offset + rows.length < total };
}

/** Scope and quota exactly as the REST operation: a read-only key cannot write, a search costs a search. */
async function authorize(ctx: Ctx, operation: Operation): Promise<void> {
  checkAccess(ctx.caller, requiredAccess(operation));
  await meter(ctx, operation);
}

/** Errors as the API words them ({detail, status}); unknown ones only by request id, their detail goes to the log. */
function describeFailure(ctx: Ctx, error: unknown): { detail: string; status: number } {
  if (error instanceof ApiError && error.code !== 'internal') {
    return { detail: error.details?.length ? `${error.message}: ${error.details.map((d) => `${d.loc.join('.')}: ${d.msg}`).join('; ')}` : error.message, status: error.status };
  }
  log.error('mcp call failed', { requestId: ctx.requestId, ...describeError(error) });
  return { detail: `Internal server error (request id ${ctx.requestId}). Please try again.`, status: 500 };
}

function endUserOfUri(variable: string | string[] | undefined): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(Array.isArray(variable) ? variable.join(',') : (variable ?? ''));
  } catch {
    throw new ApiError('bad_request', 'The end user id in the resource URI is not percent-encoded correctly');
  }
  const parsed = ExternalUserId.safeParse(decoded);
  if (!parsed.success) throw new ApiError('bad_request', `Invalid end user id in the resource URI: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

const asText = (value: unknown) => JSON.stringify(value, null, 2);

/** Registers the five tools and the `memory://{external_user_id}` resource on a server for one request. */
export function registerMemoryTools(server: McpServer, session: McpSession): void {
  const { ctx } = session;
  for (const [name, spec] of Object.entries(TOOLS) as [string, ToolSpec<z.ZodObject, z.ZodType>][]) {
    server.registerTool(
      name,
      {
        title: spec.title,
        description: spec.description,
        inputSchema: spec.input,
        outputSchema: spec.output as z.ZodObject,
        annotations: { readOnlyHint: spec.readOnly, destructiveHint: spec.destructive ?? false, idempotentHint: spec.readOnly, openWorldHint: false },
      },
      async (args): Promise<CallToolResult> => {
        try {
          const endUserId = endUserOfCall(session.endUserId, (args as { external_user_id?: string }).external_user_id);
          await authorize(ctx, spec.operation);
          const result = (await spec.run(ctx, args, endUserId)) as Record<string, unknown>;
          return { content: [{ type: 'text', text: asText(result) }], structuredContent: result };
        } catch (error) {
          return { content: [{ type: 'text', text: asText(describeFailure(ctx, error)) }], isError: true };
        }
      },
    );
  }

  const uriOf = (endUserId: string) => `memory://${encodeURIComponent(endUserId)}`;
  server.registerResource(
    'memories',
    new ResourceTemplate('memory://{external_user_id}', {
      // Only the connection's own end user is listed: a key's other end users are not the model's to browse.
      list: async () => ({
        resources: session.endUserId ? [{ uri: uriOf(session.endUserId), name: `Memories of ${session.endUserId}`, mimeType: 'application/json' }] : [],
      }),
    }),
    {
      title: "An end user's memories",
      description: `The newest ${RESOURCE_MEMORIES} memories of one end user, as list_memories returns them (percent-encode the id: memory://alice%40example.com).`,
      mimeType: 'application/json',
    },
    async (uri, variables) => {
      try {
        const endUserId = endUserOfCall(session.endUserId, endUserOfUri(variables.external_user_id));
        await authorize(ctx, OPERATIONS.listMemories);
        const page = await listPage(ctx, endUserId, RESOURCE_MEMORIES, 0);
        return { contents: [{ uri: uri.href, mimeType: 'application/json', text: asText(page) }] };
      } catch (error) {
        const failure = describeFailure(ctx, error);
        throw new McpError(failure.status >= 500 ? ErrorCode.InternalError : ErrorCode.InvalidParams, failure.detail, { status: failure.status });
      }
    },
  );
}

import { z } from 'zod';
import { ExternalUserId, Metadata, text } from './common';
import { Content, SearchMemoriesBody } from './memory';

// The MCP endpoint (POST /mcp): one JSON-RPC message per request (batches left the protocol in 2025-06-18), and the
// arguments of its tools, built from the REST API's own fields so both validate the same way.

export const McpMessageBody = z
  .object({
    jsonrpc: z.literal('2.0'),
    id: z.union([z.string().max(200), z.int()]).optional(),
    method: text('method', 200).optional(),
    params: z.record(z.string(), z.unknown()).optional(),
    result: z.record(z.string(), z.unknown()).optional(),
    error: z.object({ code: z.int(), message: text('message', 2_000), data: z.unknown().optional() }).optional(),
  })
  .refine((message) => message.method !== undefined || message.result !== undefined || message.error !== undefined, 'a JSON-RPC message needs a method, a result or an error')
  .describe('One JSON-RPC 2.0 message of the Model Context Protocol (request, notification or response).');

export const McpQuery = z.object({
  external_user_id: ExternalUserId.optional().describe('The end user of every call of this connection (as the X-End-User-Id header).'),
});

const EndUserArg = ExternalUserId.optional().describe(
  'The end user whose memories to use (their id in your app, e.g. an email). Needed unless the connection names one (X-End-User-Id header or ?external_user_id= on the URL); it must then be the same.',
);

export const RememberArgs = z.object({
  content: Content.describe('The fact to remember, in one or two sentences, e.g. "Prefers vegetarian restaurants".'),
  external_user_id: EndUserArg,
  metadata: Metadata.optional(),
  conversation_id: text('conversation_id', 255).optional().describe('The conversation it was said in: memories of one conversation are ranked together.'),
});

export const RecallArgs = SearchMemoriesBody.pick({ query: true, limit: true, similarity_threshold: true }).extend({ external_user_id: EndUserArg });

export const GetContextArgs = z.object({
  query: text('query', 8_000)
    .refine((value) => value.trim().length > 0, 'query must not be empty')
    .describe('The message to answer (usually the user’s latest message): the memories most relevant to it are chosen.'),
  external_user_id: EndUserArg,
  token_budget: z.int().min(0).max(200_000).default(2000).describe('Maximum tokens of the returned block (o200k tokenizer).'),
});

export const ForgetArgs = z.object({
  memory_id: z.uuid('memory_id must be a UUID').describe('The id of the memory to delete, as remember, recall or list_memories return it.'),
  external_user_id: EndUserArg,
});

export const ListMemoriesArgs = z.object({
  external_user_id: EndUserArg,
  limit: z.int().min(1).max(200).default(50),
  offset: z.int().min(0).max(10_000_000).default(0),
});

import { z } from 'zod';
import { ChatBody, ChatResponse, LegacyChatBody, LegacyChatResponse } from './schemas/chat';
import { CreateKeyBody, CreateKeyResponse, ListKeysResponse } from './schemas/keys';
import { PruneQuery, RunsQuery, UserScopeQuery } from './schemas/maintenance';
import { ContextBody, IngestBody, M3ListQuery, M3SearchBody } from './schemas/m3mory';
import {
  DeleteMemoryResponse,
  ListMemoriesQuery,
  ListMemoriesResponse,
  MemoryView,
  ScopeQuery,
  SearchMemoriesBody,
  SearchMemoriesQuery,
  SearchMemoriesResponse,
  StoreMemoryBody,
  StoreMemoryResponse,
} from './schemas/memory';

interface Operation {
  method: 'get' | 'post' | 'delete';
  path: string;
  summary: string;
  tag: string;
  auth: 'apiKey' | 'session';
  body?: z.ZodType;
  query?: z.ZodObject;
  pathParams?: Record<string, string>;
  response?: z.ZodType;
  status?: number;
}

/** Every public operation: the same zod schemas validate requests in the handlers and describe them here. */
export const OPERATIONS: Operation[] = [
  { method: 'post', path: '/v1/memory/', summary: 'Store a memory for an end user', tag: 'Memory', auth: 'apiKey', body: StoreMemoryBody, response: StoreMemoryResponse, status: 201 },
  { method: 'get', path: '/v1/memory/', summary: 'List memories, newest first', tag: 'Memory', auth: 'apiKey', query: ListMemoriesQuery, response: ListMemoriesResponse },
  { method: 'post', path: '/v1/memory/search', summary: "Semantic search in one end user's memories", tag: 'Memory', auth: 'apiKey', body: SearchMemoriesBody, response: SearchMemoriesResponse },
  { method: 'get', path: '/v1/memory/search', summary: 'Semantic search (query parameters)', tag: 'Memory', auth: 'apiKey', query: SearchMemoriesQuery, response: SearchMemoriesResponse },
  { method: 'get', path: '/v1/memory/stats', summary: 'Aggregate statistics and usage', tag: 'Memory', auth: 'apiKey', query: ScopeQuery },
  { method: 'get', path: '/v1/memory/{memory_id}', summary: 'Get one memory', tag: 'Memory', auth: 'apiKey', query: ScopeQuery, pathParams: { memory_id: 'The memory id (UUID).' }, response: MemoryView },
  { method: 'delete', path: '/v1/memory/{memory_id}', summary: 'Delete one memory permanently', tag: 'Memory', auth: 'apiKey', query: ScopeQuery, pathParams: { memory_id: 'The memory id (UUID).' }, response: DeleteMemoryResponse },
  { method: 'post', path: '/v1/memory/summarize', summary: 'Cluster related memories per end user and keep one summary each', tag: 'Maintenance', auth: 'apiKey', query: UserScopeQuery },
  { method: 'post', path: '/v1/memory/prune', summary: 'Archive or delete old, unimportant or surplus memories (dry_run previews)', tag: 'Maintenance', auth: 'apiKey', query: PruneQuery },
  { method: 'post', path: '/v1/memory/maintenance/{job_type}', summary: 'Run pruning, summarization, link-optimization, importance-recalculation or all', tag: 'Maintenance', auth: 'apiKey', query: UserScopeQuery, pathParams: { job_type: 'pruning | summarization | link-optimization | importance-recalculation | all' } },
  { method: 'get', path: '/v1/memory/maintenance/runs', summary: 'Maintenance runs, newest first', tag: 'Maintenance', auth: 'apiKey', query: RunsQuery },
  { method: 'post', path: '/v1/memory/{memory_id}/restore', summary: 'Restore an archived memory', tag: 'Maintenance', auth: 'apiKey', pathParams: { memory_id: 'The memory id (UUID).' } },
  { method: 'get', path: '/v1/export', summary: 'Export memories as streamed JSON Lines (account or one end user)', tag: 'Data ownership', auth: 'apiKey', query: ScopeQuery },
  { method: 'post', path: '/v1/import', summary: 'Import JSON Lines from /v1/export (ids, metadata, timestamps kept)', tag: 'Data ownership', auth: 'apiKey' },
  { method: 'post', path: '/v1/chat/', summary: 'Chat with memory injected into the prompt', tag: 'Chat', auth: 'apiKey', body: ChatBody, response: ChatResponse },
  { method: 'post', path: '/v1/chat/legacy', summary: 'Chat (legacy response shape)', tag: 'Chat', auth: 'apiKey', body: LegacyChatBody, response: LegacyChatResponse },
  { method: 'post', path: '/v1/ingest', summary: 'Extract and store memories (facts, entities, edges) from a conversation', tag: 'Conversation memory', auth: 'apiKey', body: IngestBody },
  { method: 'post', path: '/v1/context', summary: 'Prompt-ready context block within a token budget', tag: 'Conversation memory', auth: 'apiKey', body: ContextBody },
  { method: 'post', path: '/v1/search', summary: 'Hybrid search with categories, metadata filters and explain', tag: 'Conversation memory', auth: 'apiKey', body: M3SearchBody },
  { method: 'get', path: '/v1/memories', summary: 'List memories with page/pageSize and filters', tag: 'Conversation memory', auth: 'apiKey', query: M3ListQuery },
  { method: 'get', path: '/v1/memories/{id}', summary: 'Get one memory with its entities', tag: 'Conversation memory', auth: 'apiKey', pathParams: { id: 'Memory id (UUID).' } },
  { method: 'delete', path: '/v1/memories/{id}', summary: 'Delete one memory with its entity links and edges', tag: 'Conversation memory', auth: 'apiKey', pathParams: { id: 'Memory id (UUID).' } },
  { method: 'get', path: '/v1/memories/{id}/history', summary: 'The supersession chain of a memory', tag: 'Conversation memory', auth: 'apiKey', pathParams: { id: 'Memory id (UUID).' } },
  { method: 'get', path: '/v1/status', summary: 'Account plan, usage and limits', tag: 'Account', auth: 'apiKey' },
  { method: 'delete', path: '/v1/users/{external_user_id}', summary: 'Delete everything of one end user, with counts', tag: 'Account', auth: 'apiKey', pathParams: { external_user_id: 'The end user id.' } },
  { method: 'post', path: '/v1/keys/', summary: 'Create an API key (shown once)', tag: 'API Keys', auth: 'session', body: CreateKeyBody, response: CreateKeyResponse, status: 201 },
  { method: 'get', path: '/v1/keys/', summary: 'List API keys, masked', tag: 'API Keys', auth: 'session', response: ListKeysResponse },
  { method: 'post', path: '/v1/keys/{key_id}/revoke', summary: 'Revoke an API key', tag: 'API Keys', auth: 'session', pathParams: { key_id: 'The key id from the list endpoint.' } },
];

const ERROR = { type: 'object', properties: { detail: { type: 'string' } }, required: ['detail'] };
const VALIDATION_ERROR = {
  type: 'object',
  properties: {
    status: { const: 'error' },
    message: { type: 'string' },
    details: { type: 'array', items: { type: 'object', properties: { type: { type: 'string' }, loc: { type: 'array', items: { type: ['string', 'integer'] } }, msg: { type: 'string' } } } },
    timestamp: { type: 'string', format: 'date-time' },
  },
};

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => z.toJSONSchema(schema, { io, unrepresentable: 'any' });

function parameters(op: Operation) {
  const params: unknown[] = Object.entries(op.pathParams ?? {}).map(([name, description]) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } }));
  if (op.query) {
    const schema = jsonSchema(op.query, 'input') as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      params.push({ name, in: 'query', required: schema.required?.includes(name) ?? false, schema: property });
    }
  }
  return params;
}

export function buildOpenApiDocument(serverUrl = 'http://localhost:3000') {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const responses: Record<string, unknown> = {
      [String(op.status ?? 200)]: { description: 'Success', content: op.response ? { 'application/json': { schema: jsonSchema(op.response, 'output') } } : undefined },
      '401': { description: 'Missing or invalid credentials', content: { 'application/json': { schema: ERROR } } },
      '403': { description: 'The API key’s scopes do not allow this', content: { 'application/json': { schema: ERROR } } },
      '422': { description: 'Validation error', content: { 'application/json': { schema: VALIDATION_ERROR } } },
      '429': { description: 'Rate limit exceeded', content: { 'application/json': { schema: ERROR } } },
    };
    if (op.pathParams) responses['404'] = { description: 'Not found', content: { 'application/json': { schema: ERROR } } };
    paths[op.path] ??= {};
    paths[op.path]![op.method] = {
      summary: op.summary,
      tags: [op.tag],
      security: [{ [op.auth === 'apiKey' ? 'apiKey' : 'sessionJwt']: [] }],
      parameters: parameters(op),
      requestBody: op.body ? { required: true, content: { 'application/json': { schema: jsonSchema(op.body, 'input') } } } : undefined,
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Memory Layer API',
      version: '1.0.0',
      description: 'Persistent memory for AI applications. Every path also answers under /api/v1, with or without a trailing slash.',
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: mlive_<id>_<secret>' },
        sessionJwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A dashboard session JWT (Supabase Auth or the built-in local auth)' },
      },
    },
    paths,
  };
}

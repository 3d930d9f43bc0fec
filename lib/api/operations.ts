import type { z } from 'zod';
import { ChatBody, ChatResponse, LegacyChatBody, LegacyChatResponse } from '@/lib/schemas/chat';
import { OpenAiChatCompletionBody, OpenAiChatCompletionResponse } from '@/lib/schemas/openai';
import {
  AccountStatusResponse,
  ContextBody,
  ContextResponse,
  DeleteMemoryDetailResponse,
  EndUserPathParams,
  EraseEndUserResponse,
  FilteredSearchBody,
  FilteredSearchResponse,
  IdParams,
  IngestBody,
  IngestResponse,
  MemoryHistoryResponse,
  PagedListQuery,
  PagedListResponse,
} from '@/lib/schemas/conversation';
import {
  AccountSearchResponse,
  AccountSettingsBody,
  AccountSettingsResponse,
  BillingResponse,
  CheckoutBody,
  DashboardContextResponse,
  DashboardSearchBody,
  EndUserParams,
  EndUsersQuery,
  EndUsersResponse,
  RedirectResponse,
  UsageReportResponse,
} from '@/lib/schemas/dashboard';
import { CreateKeyBody, CreateKeyResponse, KeyIdParams, ListKeysResponse, RevokeKeyResponse } from '@/lib/schemas/keys';
import { JobTypeParams, MaintenanceQuery, MaintenanceRunResponse, PruneQuery, PruneResponse, RunsQuery, RunsResponse } from '@/lib/schemas/maintenance';
import {
  DeleteMemoryResponse,
  ListMemoriesQuery,
  ListMemoriesResponse,
  MemoryDetailView,
  MemoryIdParams,
  MemoryStatsResponse,
  MemoryView,
  RestoreMemoryResponse,
  ScopeQuery,
  SearchMemoriesBody,
  SearchMemoriesQuery,
  SearchMemoriesResponse,
  StoreMemoryBody,
  StoreMemoryResponse,
} from '@/lib/schemas/memory';
import { McpMessageBody, McpQuery } from '@/lib/schemas/mcp';
import { ImportResponse } from '@/lib/schemas/portability';

export type Method = 'GET' | 'POST' | 'DELETE';
/** apiKey: `Bearer mlive_…`; session: a dashboard JWT; the rest are checked by their own route (signature, secret). */
export type AuthMode = 'apiKey' | 'session' | 'none' | 'cronSecret' | 'stripeSignature';

/**
 * One endpoint, declared once. Route files build their handler from it (`route(OPERATIONS.x, …)`), the OpenAPI
 * document and the docs page are generated from it, and the fuzz test, the isolation matrix and the coverage test
 * walk it.
 */
export interface Operation<B = unknown, Q = unknown, P = unknown> {
  operationId: string;
  method: Method;
  /** As clients call it: `/v1/…` (also answers under `/api/v1/…`), or `/api/…` for the dashboard's own routes. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  /**
   * public: in the OpenAPI document; dashboard: the web app's own routes (session auth); internal: webhooks, cron;
   * protocol: public, but speaking a protocol of its own (MCP's JSON-RPC), documented in its guide instead of OpenAPI.
   */
  audience: 'public' | 'dashboard' | 'internal' | 'protocol';
  auth: AuthMode;
  /** What a scoped API key needs; by default GET reads and everything else writes. */
  scope?: 'read' | 'write';
  body?: z.ZodType<B>;
  /** A body read as text rather than JSON (import's JSON Lines), up to this many bytes. */
  textBody?: { contentType: string; maxBytes: number; description: string };
  query?: z.ZodType<Q>;
  params?: z.ZodType<P>;
  /** HTTP status of success (default 200). */
  status?: number;
  response?: z.ZodType;
  /** A success body that is not JSON: streamed JSON Lines (export). */
  responseContentType?: 'application/x-ndjson';
  /** Answers `text/event-stream` when the body asks for a stream: what its events are (the OpenAPI description). */
  streams?: string;
  /**
   * What the operation consumes, checked once by the route builder before the work: `search` charges one search of the
   * plan's quota; `tokens` refuses when the month's LLM tokens are spent (ctx.llm records what each call uses).
   */
  meter?: { search?: true; tokens?: true };
  /** Statuses beyond those every operation of its kind can answer (see lib/api/openapi.ts). */
  errors?: number[];
  example?: { body?: unknown; query?: Record<string, string>; params?: Record<string, string>; response?: unknown };
}

const op = <B, Q, P>(operation: Operation<B, Q, P>) => operation;

const MEMORY_ID = '3f2c6a4e-9b1d-4c55-8e2a-0d7f1b6c9a10';
const USER = 'john_doe@gmail.com';
const memoryExample = {
  id: MEMORY_ID,
  content: 'User is building a SaaS dashboard in React',
  external_user_id: USER,
  metadata: { source: 'onboarding' },
  importance_score: 0.5,
  access_count: 0,
  created_at: '2026-11-30T12:00:00.000Z',
  updated_at: '2026-11-30T12:00:00.000Z',
  last_accessed_at: null,
};
const detailExample = {
  id: MEMORY_ID,
  content: 'I moved to Berlin last month.',
  category: 'location',
  userId: USER,
  agentId: null,
  metadata: {},
  entities: ['Berlin'],
  importance: 0.5,
  accessCount: 1,
  source: 'ingest',
  sourceMessageIds: ['5b0e3f8a-1c2d-4e5f-8a9b-0c1d2e3f4a5b'],
  context: 'Where do you live these days?',
  createdAt: '2026-11-30T12:00:00.000Z',
  updatedAt: '2026-11-30T12:00:00.000Z',
  lastAccessed: '2026-11-30T12:05:00.000Z',
  validFrom: '2026-11-30T12:00:00.000Z',
  validTo: null,
  supersededBy: null,
  supersededReason: null,
  archivedAt: null,
};
const runExample = {
  id: '8d1f0c2b-3a4e-4f5a-9b6c-7d8e9f0a1b2c',
  job_type: 'summarization',
  trigger: 'api',
  status: 'succeeded',
  params: { external_user_id: null },
  progress: { step: 'summarization', end_users_done: 1, end_users_total: 1 },
  counts: { end_users: 1, clusters: 1, summaries_created: 1, summaries_unchanged: 0, summaries_removed: 0 },
  error: null,
  attempts: 1,
  started_at: '2026-11-30T12:00:00.000Z',
  finished_at: '2026-11-30T12:00:01.250Z',
  duration_ms: 1250,
};
const keyExample = {
  id: 'k_7Qm2x9',
  name: 'Production',
  prefix: 'mlive_k_7Qm2x9',
  last_four: 'a1b2',
  masked_key: 'mlive_k_7Qm2x9_…a1b2',
  scopes: [],
  is_active: true,
  created_at: '2026-11-30T12:00:00.000Z',
  last_used_at: null,
  revoked_at: null,
};
const chatReply = {
  reply: 'You are building a SaaS dashboard in React.',
  used_memories: [{ id: MEMORY_ID, memory_text: 'User is building a SaaS dashboard in React', score: 0.62 }],
  memory_created: false,
  conversation_id: null,
  mode: 'offline',
  model: 'offline-extractive',
  usage: { prompt_tokens: 0, completion_tokens: 0 },
};

/** Every endpoint of the app. The keys are the operationIds. */
export const OPERATIONS = {
  // Memory Layer reference: memories one by one.
  storeMemory: op({
    operationId: 'storeMemory', method: 'POST', path: '/v1/memory/', summary: 'Store a memory for an end user', tag: 'Memory', audience: 'public', auth: 'apiKey',
    body: StoreMemoryBody, status: 201, response: StoreMemoryResponse, errors: [502],
    example: { body: { content: 'User is building a SaaS dashboard in React', external_user_id: USER, metadata: { source: 'onboarding' } }, response: { status: 'success', memory: memoryExample } },
  }),
  listMemories: op({
    operationId: 'listMemories', method: 'GET', path: '/v1/memory/', summary: 'List memories, newest first', tag: 'Memory', audience: 'public', auth: 'apiKey',
    query: ListMemoriesQuery, response: ListMemoriesResponse,
    example: { query: { external_user_id: USER, limit: '20' }, response: { memories: [memoryExample], total_count: 1, limit: 20, offset: 0, has_more: false } },
  }),
  searchMemories: op({
    operationId: 'searchMemories', method: 'POST', path: '/v1/memory/search', summary: "Search one end user's memories (hybrid by default, cosine with mode: semantic)", tag: 'Memory', audience: 'public', auth: 'apiKey', scope: 'read',
    description:
      'By default results are ranked by hybrid retrieval (vector and BM25 fused, entities, time, conversation; `score`); `"mode": "semantic"` ranks by the reference’s `combined_score = 0.7·similarity + 0.3·importance`. `similarity` is always the cosine similarity; `similarity_threshold` filters on it (in hybrid mode a memory sharing a word with the query may sit up to 0.1 below).',
    body: SearchMemoriesBody, response: SearchMemoriesResponse, meter: { search: true }, errors: [502],
    example: {
      body: { query: 'What am I building?', external_user_id: USER, limit: 5, similarity_threshold: 0.3 },
      response: { results: [{ memory: memoryExample, similarity: 0.51, combined_score: 0.507, score: 1.0185 }], total_count: 1, query: 'What am I building?', similarity_threshold: 0.3, mode: 'hybrid' },
    },
  }),
  searchMemoriesByQuery: op({
    operationId: 'searchMemoriesByQuery', method: 'GET', path: '/v1/memory/search', summary: 'Semantic search (query parameters)', tag: 'Memory', audience: 'public', auth: 'apiKey',
    query: SearchMemoriesQuery, response: SearchMemoriesResponse, meter: { search: true }, errors: [502],
    example: {
      query: { query: 'What am I building?', external_user_id: USER },
      response: { results: [{ memory: memoryExample, similarity: 0.51, combined_score: 0.507, score: 1.0185 }], total_count: 1, query: 'What am I building?', similarity_threshold: 0.35, mode: 'hybrid' },
    },
  }),
  getMemoryStats: op({
    operationId: 'getMemoryStats', method: 'GET', path: '/v1/memory/stats', summary: 'Aggregate statistics and usage', tag: 'Memory', audience: 'public', auth: 'apiKey',
    query: ScopeQuery, response: MemoryStatsResponse,
    example: {
      response: {
        total_memories: 1, archived_memories: 0, superseded_memories: 0, end_users: 1, avg_importance: 0.5, total_access_count: 0, memories_last_24h: 1,
        oldest_memory_at: '2026-11-30T12:00:00.000Z', newest_memory_at: '2026-11-30T12:00:00.000Z', external_user_id: null,
        usage: { period: '2026-11', searches_today: 3, searches_this_month: 12, tokens_this_month: { prompt: 0, completion: 0, total: 0 }, storage_used_mb: 0.01 },
        plan: { id: 'free', name: 'Free', memory_limit: 1000, search_limit: 100, search_limit_period: 'day', token_limit: 100000, requests_per_minute: 30, storage_limit_mb: 100 },
      },
    },
  }),
  getMemory: op({
    operationId: 'getMemory', method: 'GET', path: '/v1/memory/{memory_id}', summary: 'Get one memory', tag: 'Memory', audience: 'public', auth: 'apiKey',
    params: MemoryIdParams, query: ScopeQuery, response: MemoryView,
    example: { params: { memory_id: MEMORY_ID }, response: memoryExample },
  }),
  deleteMemory: op({
    operationId: 'deleteMemory', method: 'DELETE', path: '/v1/memory/{memory_id}', summary: 'Delete one memory permanently', tag: 'Memory', audience: 'public', auth: 'apiKey',
    params: MemoryIdParams, query: ScopeQuery, response: DeleteMemoryResponse,
    example: { params: { memory_id: MEMORY_ID }, response: { status: 'success', id: MEMORY_ID, deleted: true } },
  }),
  restoreMemory: op({
    operationId: 'restoreMemory', method: 'POST', path: '/v1/memory/{memory_id}/restore', summary: 'Restore an archived memory', tag: 'Maintenance', audience: 'public', auth: 'apiKey',
    params: MemoryIdParams, response: RestoreMemoryResponse,
    example: { params: { memory_id: MEMORY_ID }, response: { status: 'success', memory: memoryExample } },
  }),
  summarizeMemories: op({
    operationId: 'summarizeMemories', method: 'POST', path: '/v1/memory/summarize', summary: 'Cluster related memories per end user and keep one summary each', tag: 'Maintenance', audience: 'public', auth: 'apiKey',
    query: MaintenanceQuery, response: MaintenanceRunResponse, errors: [502],
    example: { query: { external_user_id: USER }, response: { status: 'success', run: runExample } },
  }),
  pruneMemories: op({
    operationId: 'pruneMemories', method: 'POST', path: '/v1/memory/prune', summary: 'Archive or delete old, unimportant or surplus memories (dry_run previews)', tag: 'Maintenance', audience: 'public', auth: 'apiKey',
    query: PruneQuery, response: PruneResponse,
    example: {
      query: { max_age_days: '90', min_importance: '0.1', dry_run: 'true' },
      response: { status: 'success', dry_run: true, archive_only: true, pruned_count: 1, by_reason: { stale: 1 }, criteria: { max_age_days: 90, min_importance: 0.1, max_memories: 10000 }, memories: [{ id: MEMORY_ID, external_user_id: USER, reason: 'stale' }], truncated: false },
    },
  }),
  runMaintenance: op({
    operationId: 'runMaintenance', method: 'POST', path: '/v1/memory/maintenance/{job_type}', summary: 'Run pruning, summarization, link-optimization, importance-recalculation or all', tag: 'Maintenance', audience: 'public', auth: 'apiKey',
    params: JobTypeParams, query: MaintenanceQuery, response: MaintenanceRunResponse, errors: [502],
    example: { params: { job_type: 'summarization' }, response: { status: 'success', run: runExample } },
  }),
  listMaintenanceRuns: op({
    operationId: 'listMaintenanceRuns', method: 'GET', path: '/v1/memory/maintenance/runs', summary: 'Maintenance runs, newest first', tag: 'Maintenance', audience: 'public', auth: 'apiKey',
    query: RunsQuery, response: RunsResponse,
    example: { response: { runs: [runExample], total_count: 1, limit: 50, offset: 0 } },
  }),

  // Data ownership.
  exportMemories: op({
    operationId: 'exportMemories', method: 'GET', path: '/v1/export', summary: 'Export memories as streamed JSON Lines (account or one end user)', tag: 'Data ownership', audience: 'public', auth: 'apiKey',
    query: ScopeQuery, responseContentType: 'application/x-ndjson',
    example: { query: { external_user_id: USER } },
  }),
  importMemories: op({
    operationId: 'importMemories', method: 'POST', path: '/v1/import', summary: 'Import JSON Lines from /v1/export (ids, metadata, timestamps kept)', tag: 'Data ownership', audience: 'public', auth: 'apiKey',
    textBody: { contentType: 'application/x-ndjson', maxBytes: 50 * 1024 * 1024, description: 'One memory per line, as /v1/export writes them (up to 50 MB).' },
    response: ImportResponse, errors: [502],
    example: { response: { status: 'success', lines: 4, imported: 2, skipped: 0, reembedded: 0, entities: 1, edges: 1, chat_messages: 0, remapped_ids: {} } },
  }),
  eraseEndUser: op({
    operationId: 'eraseEndUser', method: 'DELETE', path: '/v1/users/{external_user_id}', summary: 'Delete everything of one end user, with counts', tag: 'Account', audience: 'public', auth: 'apiKey',
    params: EndUserPathParams, response: EraseEndUserResponse,
    example: { params: { external_user_id: USER }, response: { status: 'success', external_user_id: USER, deleted: { memories: 12, entities: 4, edges: 3, chat_messages: 20 } } },
  }),

  // Chat.
  chat: op({
    operationId: 'chat', method: 'POST', path: '/v1/chat/', summary: 'Chat with memory injected into the prompt', tag: 'Chat', audience: 'public', auth: 'apiKey',
    description:
      'With `"stream": true` the reply is server-sent events: `memories`, `delta`…, then `done` (the fields of the JSON reply) or `error` ({detail}). With `"stream_format": "ui"` it is the AI SDK UI message stream (header `x-vercel-ai-ui-message-stream: v1`) that `useChat` reads; the body may then be what useChat sends (`messages` as UIMessage[], `id` as the conversation).',
    body: ChatBody, response: ChatResponse, meter: { tokens: true }, errors: [502, 504],
    streams:
      'With "stream": true — events `memories` {used_memories}, `delta` {text}…, then `done` (the JSON reply) or `error` {detail}. With "stream_format": "ui" — the AI SDK UI message stream (`data:` chunks start, data-memories, text-start, text-delta…, text-end, finish with the reply fields as messageMetadata, or error; then `data: [DONE]`).',
    example: { body: { message: 'What am I building?', external_user_id: USER }, response: chatReply },
  }),
  chatLegacy: op({
    operationId: 'chatLegacy', method: 'POST', path: '/v1/chat/legacy', summary: 'Chat (legacy response shape)', tag: 'Chat', audience: 'public', auth: 'apiKey',
    body: LegacyChatBody, response: LegacyChatResponse, meter: { tokens: true }, errors: [502, 504],
    example: {
      body: { message: 'What am I building?', external_user_id: USER },
      response: { reply: chatReply.reply, memory_ids: [MEMORY_ID], mode: 'offline', memories_used: [{ id: MEMORY_ID, content: 'User is building a SaaS dashboard in React', similarity: 0.62 }] },
    },
  }),

  openAiChatCompletion: op({
    operationId: 'openAiChatCompletion', method: 'POST', path: '/v1/openai/chat/completions', summary: 'OpenAI-compatible chat completions with memory', tag: 'Chat', audience: 'public', auth: 'apiKey', scope: 'write',
    description:
      'Point any OpenAI client at `/v1/openai` (baseURL) with your Memory Layer key. The end user is the `user` field or the `X-End-User-Id` header (422 without either); memories are retrieved for the last user message and injected as a system message after yours; the configured model answers (the request’s `model` is accepted and the answering model is named in the response); the message is stored as /v1/chat stores it (the thread too with an `X-Conversation-Id` header). Errors keep the statuses and fields of the rest of the API and add OpenAI’s `error` object {message, type, param, code}, which OpenAI clients read.',
    body: OpenAiChatCompletionBody, response: OpenAiChatCompletionResponse, meter: { tokens: true }, errors: [502, 504],
    streams: 'With "stream": true — `data: {chat.completion.chunk}` events (the first with the assistant role, then content deltas, then one with finish_reason "stop" and the `memory` report, then a usage chunk if stream_options.include_usage), ending with `data: [DONE]`; a failure mid-stream is `data: {"error": {...}}`.',
    example: {
      body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What am I building?' }], user: USER },
      response: {
        id: 'chatcmpl-9b2f0e4a-1c3d-4e5f-8a9b-0c1d2e3f4a5b', object: 'chat.completion', created: 1796040000, model: 'offline-extractive',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Here is what I remember:\n- User is building a SaaS dashboard in React', refusal: null }, logprobs: null, finish_reason: 'stop' }],
        usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
        memory: { external_user_id: USER, used_memories: chatReply.used_memories, memory_created: false, mode: 'offline' },
      },
    },
  }),

  // m3mory reference: conversations.
  ingestConversation: op({
    operationId: 'ingestConversation', method: 'POST', path: '/v1/ingest', summary: 'Extract and store memories (facts, entities, edges) from a conversation', tag: 'Conversation memory', audience: 'public', auth: 'apiKey',
    body: IngestBody, response: IngestResponse, meter: { tokens: true }, errors: [502, 504],
    example: {
      body: { userId: USER, messages: [{ role: 'assistant', content: 'Where do you live these days?' }, { role: 'user', content: 'I moved to Berlin last month.' }] },
      response: {
        memoriesCreated: 1, entitiesExtracted: 2, edgesCreated: 0, processingMs: 42, memoriesSuperseded: 0, duplicatesMerged: 0, conversationId: '6c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f', extraction: 'offline',
        memories: [{ id: MEMORY_ID, content: 'I moved to Berlin last month.', category: 'location', status: 'created', supersedes: [], sourceMessageIndex: 1 }],
        decisions: [
          { messageIndex: 0, action: 'skipped', memoryId: null, reason: 'only the user’s own messages become memories (offline extraction)', similarity: null, superseded: [] },
          { messageIndex: 1, action: 'created', memoryId: MEMORY_ID, reason: 'a new fact (location)', similarity: null, superseded: [] },
        ],
      },
    },
  }),
  buildContext: op({
    operationId: 'buildContext', method: 'POST', path: '/v1/context', summary: 'Prompt-ready context block within a token budget', tag: 'Conversation memory', audience: 'public', auth: 'apiKey', scope: 'read',
    body: ContextBody, response: ContextResponse, meter: { search: true }, errors: [502],
    example: {
      body: { userId: USER, messages: [{ role: 'user', content: 'Any restaurant tips near me?' }], tokenBudget: 500 },
      response: {
        text: `## What you know about ${USER}\n- I moved to Berlin last month. (2026-11-30)`, memoriesUsed: 1, tokensUsed: 24, retrievalMs: 31, tokenBudget: 500,
        lines: [{ memoryId: MEMORY_ID, text: '- I moved to Berlin last month. (2026-11-30)' }], omitted: [],
      },
    },
  }),
  searchWithFilters: op({
    operationId: 'searchWithFilters', method: 'POST', path: '/v1/search', summary: 'Hybrid search with categories, metadata filters and explain', tag: 'Conversation memory', audience: 'public', auth: 'apiKey', scope: 'read',
    body: FilteredSearchBody, response: FilteredSearchResponse, meter: { search: true }, errors: [502],
    example: {
      body: { userId: USER, query: 'Where does the user live?', limit: 5, categories: ['location'], explain: true },
      response: {
        memories: [{
          id: MEMORY_ID, content: 'I moved to Berlin last month.', category: 'location', score: 1.1337, createdAt: '2026-11-30T12:00:00.000Z', agentId: null, metadata: {},
          explain: { semantic: 0.4850, keyword: 0.4850, entity: 0, temporal: 0, conversation: 0.4, recency: 0.01, importance: 0.01, cosineSimilarity: 0.4512 },
        }],
        total: 1,
      },
    },
  }),
  listMemoriesPaged: op({
    operationId: 'listMemoriesPaged', method: 'GET', path: '/v1/memories', summary: 'List memories with page/pageSize and filters', tag: 'Conversation memory', audience: 'public', auth: 'apiKey',
    query: PagedListQuery, response: PagedListResponse,
    example: { query: { userId: USER, page: '1', pageSize: '20' }, response: { memories: [detailExample], total: 1, page: 1, pageSize: 20 } },
  }),
  getMemoryDetail: op({
    operationId: 'getMemoryDetail', method: 'GET', path: '/v1/memories/{id}', summary: 'Get one memory with its entities', tag: 'Conversation memory', audience: 'public', auth: 'apiKey',
    params: IdParams, response: MemoryDetailView,
    example: { params: { id: MEMORY_ID }, response: detailExample },
  }),
  deleteMemoryDetail: op({
    operationId: 'deleteMemoryDetail', method: 'DELETE', path: '/v1/memories/{id}', summary: 'Delete one memory with its entity links and edges', tag: 'Conversation memory', audience: 'public', auth: 'apiKey',
    params: IdParams, response: DeleteMemoryDetailResponse,
    example: { params: { id: MEMORY_ID }, response: { deleted: true } },
  }),
  getMemoryHistory: op({
    operationId: 'getMemoryHistory', method: 'GET', path: '/v1/memories/{id}/history', summary: 'The supersession chain of a memory', tag: 'Conversation memory', audience: 'public', auth: 'apiKey',
    params: IdParams, response: MemoryHistoryResponse,
    example: { params: { id: MEMORY_ID }, response: { id: MEMORY_ID, history: [detailExample], current: MEMORY_ID } },
  }),
  getAccountStatus: op({
    operationId: 'getAccountStatus', method: 'GET', path: '/v1/status', summary: 'Account plan, usage and limits', tag: 'Account', audience: 'public', auth: 'apiKey',
    response: AccountStatusResponse,
    example: {
      response: {
        plan: 'free', memoriesStored: 12, memoryLimit: 1000, storageUsedMb: 0.03, storageLimitMb: 100, requestsToday: 40, rateLimitPerMin: 30,
        tokensUsed: 0, tokenLimit: 100000, searchesUsed: 7, searchLimit: 100, searchLimitPeriod: 'day', period: '2026-11',
      },
    },
  }),

  // API keys (dashboard session).
  createApiKey: op({
    operationId: 'createApiKey', method: 'POST', path: '/v1/keys/', summary: 'Create an API key (shown once)', tag: 'API Keys', audience: 'public', auth: 'session',
    body: CreateKeyBody, status: 201, response: CreateKeyResponse,
    example: { body: { name: 'Production' }, response: { ...keyExample, api_key: 'mlive_k_7Qm2x9_3hY…a1b2' } },
  }),
  listApiKeys: op({
    operationId: 'listApiKeys', method: 'GET', path: '/v1/keys/', summary: 'List API keys, masked', tag: 'API Keys', audience: 'public', auth: 'session',
    response: ListKeysResponse, example: { response: { keys: [keyExample] } },
  }),
  revokeApiKey: op({
    operationId: 'revokeApiKey', method: 'POST', path: '/v1/keys/{key_id}/revoke', summary: 'Revoke an API key', tag: 'API Keys', audience: 'public', auth: 'session',
    params: KeyIdParams, response: RevokeKeyResponse,
    example: { params: { key_id: 'k_7Qm2x9' }, response: { status: 'success', key: { ...keyExample, is_active: false, revoked_at: '2026-11-30T13:00:00.000Z' } } },
  }),

  // The dashboard's own routes (session).
  dashboardOverview: op({ operationId: 'dashboardOverview', method: 'GET', path: '/api/dashboard/overview', summary: "The account's plan, usage and memory totals", tag: 'Dashboard', audience: 'dashboard', auth: 'session', response: MemoryStatsResponse }),
  dashboardUsage: op({ operationId: 'dashboardUsage', method: 'GET', path: '/api/dashboard/usage', summary: 'Requests per day, latency percentiles, recent errors', tag: 'Dashboard', audience: 'dashboard', auth: 'session', response: UsageReportResponse }),
  dashboardBilling: op({ operationId: 'dashboardBilling', method: 'GET', path: '/api/dashboard/billing', summary: "Plans, the account's plan and subscription", tag: 'Dashboard', audience: 'dashboard', auth: 'session', response: BillingResponse }),
  dashboardChat: op({ operationId: 'dashboardChat', method: 'POST', path: '/api/dashboard/chat', summary: 'The Playground: chat as one end user', tag: 'Dashboard', audience: 'dashboard', auth: 'session', body: ChatBody, response: ChatResponse, meter: { tokens: true }, errors: [502, 504] }),
  dashboardEndUsers: op({ operationId: 'dashboardEndUsers', method: 'GET', path: '/api/dashboard/end-users', summary: "The account's end users with memory counts", tag: 'Dashboard', audience: 'dashboard', auth: 'session', query: EndUsersQuery, response: EndUsersResponse }),
  dashboardEraseEndUser: op({ operationId: 'dashboardEraseEndUser', method: 'DELETE', path: '/api/dashboard/end-users/{external_user_id}', summary: 'Delete everything of one end user', tag: 'Dashboard', audience: 'dashboard', auth: 'session', params: EndUserParams, response: EraseEndUserResponse }),
  dashboardMaintenanceRuns: op({ operationId: 'dashboardMaintenanceRuns', method: 'GET', path: '/api/dashboard/maintenance-runs', summary: "The account's maintenance runs", tag: 'Dashboard', audience: 'dashboard', auth: 'session', query: RunsQuery, response: RunsResponse }),
  dashboardMemories: op({ operationId: 'dashboardMemories', method: 'GET', path: '/api/dashboard/memories', summary: "The account's memories, newest first", tag: 'Dashboard', audience: 'dashboard', auth: 'session', query: ListMemoriesQuery, response: ListMemoriesResponse }),
  dashboardMemory: op({ operationId: 'dashboardMemory', method: 'GET', path: '/api/dashboard/memories/{memory_id}', summary: 'One memory with provenance and validity', tag: 'Dashboard', audience: 'dashboard', auth: 'session', params: MemoryIdParams, response: MemoryDetailView }),
  dashboardDeleteMemory: op({ operationId: 'dashboardDeleteMemory', method: 'DELETE', path: '/api/dashboard/memories/{memory_id}', summary: 'Delete one memory', tag: 'Dashboard', audience: 'dashboard', auth: 'session', params: MemoryIdParams, response: DeleteMemoryResponse }),
  dashboardMemoryHistory: op({ operationId: 'dashboardMemoryHistory', method: 'GET', path: '/api/dashboard/memories/{memory_id}/history', summary: 'The supersession chain of a memory', tag: 'Dashboard', audience: 'dashboard', auth: 'session', params: MemoryIdParams, response: MemoryHistoryResponse }),
  dashboardSearch: op({ operationId: 'dashboardSearch', method: 'POST', path: '/api/dashboard/memories/search', summary: "Semantic search in one end user's memories or across the account", tag: 'Dashboard', audience: 'dashboard', auth: 'session', body: DashboardSearchBody, response: AccountSearchResponse, meter: { search: true }, errors: [502] }),
  dashboardExplainSearch: op({ operationId: 'dashboardExplainSearch', method: 'POST', path: '/api/dashboard/search', summary: 'The Playground: /v1/search with explain', tag: 'Dashboard', audience: 'dashboard', auth: 'session', body: FilteredSearchBody, response: FilteredSearchResponse, meter: { search: true }, errors: [502] }),
  dashboardContext: op({ operationId: 'dashboardContext', method: 'POST', path: '/api/dashboard/context', summary: 'The Playground: /v1/context, with the text of what the budget left out', tag: 'Dashboard', audience: 'dashboard', auth: 'session', body: ContextBody, response: DashboardContextResponse, meter: { search: true }, errors: [502] }),
  dashboardExport: op({ operationId: 'dashboardExport', method: 'GET', path: '/api/dashboard/export', summary: 'Export memories as JSON Lines (account or one end user)', tag: 'Dashboard', audience: 'dashboard', auth: 'session', query: ScopeQuery, responseContentType: 'application/x-ndjson' }),
  dashboardImport: op({
    operationId: 'dashboardImport', method: 'POST', path: '/api/dashboard/import', summary: 'Import JSON Lines from an export', tag: 'Dashboard', audience: 'dashboard', auth: 'session',
    textBody: { contentType: 'application/x-ndjson', maxBytes: 50 * 1024 * 1024, description: 'One memory per line, as /v1/export writes them (up to 50 MB).' }, response: ImportResponse, errors: [502],
  }),
  dashboardRestoreMemory: op({ operationId: 'dashboardRestoreMemory', method: 'POST', path: '/api/dashboard/memories/{memory_id}/restore', summary: 'Restore an archived memory', tag: 'Dashboard', audience: 'dashboard', auth: 'session', params: MemoryIdParams, response: RestoreMemoryResponse }),
  dashboardSettings: op({ operationId: 'dashboardSettings', method: 'GET', path: '/api/dashboard/settings', summary: "The account's settings (scheduled pruning and scheduled LLM summaries are opt-in)", tag: 'Dashboard', audience: 'dashboard', auth: 'session', response: AccountSettingsResponse, example: { response: { scheduled_pruning: false, scheduled_llm_summaries: false } } }),
  dashboardUpdateSettings: op({ operationId: 'dashboardUpdateSettings', method: 'POST', path: '/api/dashboard/settings', summary: "Change the account's settings", tag: 'Dashboard', audience: 'dashboard', auth: 'session', body: AccountSettingsBody, response: AccountSettingsResponse, example: { body: { scheduled_pruning: true }, response: { scheduled_pruning: true, scheduled_llm_summaries: false } } }),
  dashboardRunMaintenance: op({ operationId: 'dashboardRunMaintenance', method: 'POST', path: '/api/dashboard/maintenance/{job_type}', summary: 'Run a maintenance job (progress is recorded on the run)', tag: 'Dashboard', audience: 'dashboard', auth: 'session', params: JobTypeParams, query: MaintenanceQuery, response: MaintenanceRunResponse, errors: [502] }),
  startCheckout: op({ operationId: 'startCheckout', method: 'POST', path: '/api/billing/checkout', summary: 'A Stripe Checkout URL to subscribe to a plan', tag: 'Billing', audience: 'dashboard', auth: 'session', body: CheckoutBody, response: RedirectResponse }),
  openBillingPortal: op({ operationId: 'openBillingPortal', method: 'POST', path: '/api/billing/portal', summary: 'A Stripe Customer Portal URL', tag: 'Billing', audience: 'dashboard', auth: 'session', response: RedirectResponse }),

  // Model Context Protocol: one JSON-RPC message per POST (stateless Streamable HTTP); each tool checks its own scope
  // and meter as the REST operation it mirrors (lib/mcp/tools.ts). GET and DELETE answer 405 (no server-side sessions).
  mcp: op({
    operationId: 'mcp', method: 'POST', path: '/mcp', summary: 'MCP server (Streamable HTTP): remember, recall, get_context, forget, list_memories', tag: 'MCP', audience: 'protocol', auth: 'apiKey', scope: 'read',
    body: McpMessageBody, query: McpQuery,
  }),

  // Called by machines, each checked by its own route.
  stripeWebhook: op({ operationId: 'stripeWebhook', method: 'POST', path: '/api/billing/webhook', summary: 'Stripe events (signature verified)', tag: 'Billing', audience: 'internal', auth: 'stripeSignature' }),
  cronMaintenance: op({ operationId: 'cronMaintenance', method: 'POST', path: '/api/cron/maintenance', summary: 'Scheduled maintenance of every account (Bearer CRON_SECRET)', tag: 'Maintenance', audience: 'internal', auth: 'cronSecret' }),
  cronMaintenanceGet: op({ operationId: 'cronMaintenanceGet', method: 'GET', path: '/api/cron/maintenance', summary: 'Scheduled maintenance (Vercel Cron sends GET)', tag: 'Maintenance', audience: 'internal', auth: 'cronSecret' }),
  openApiDocument: op({ operationId: 'openApiDocument', method: 'GET', path: '/v1/openapi.json', summary: 'This OpenAPI document', tag: 'Meta', audience: 'internal', auth: 'none' }),
} satisfies Record<string, Operation<any, any, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any

export type OperationId = keyof typeof OPERATIONS;
export const ALL_OPERATIONS: Operation[] = Object.values(OPERATIONS) as Operation[];

/** The route file that serves an operation: `/v1/memory/{memory_id}` → app/api/v1/memory/[memory_id]/route.ts. */
export function routeFileOf(operation: Pick<Operation, 'path'>): string {
  const path = operation.path.replace(/\/$/, '').replace(/\{(\w+)\}/g, '[$1]');
  return `app${path.startsWith('/v1/') ? `/api${path}` : path}/route.ts`;
}

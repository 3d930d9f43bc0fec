import { z } from 'zod';
import * as chatSchemas from '@/lib/schemas/chat';
import * as conversationSchemas from '@/lib/schemas/conversation';
import { JsonValue } from '@/lib/schemas/common';
import { ErrorResponse, ValidationErrorResponse } from '@/lib/schemas/errors';
import * as keySchemas from '@/lib/schemas/keys';
import * as maintenanceSchemas from '@/lib/schemas/maintenance';
import * as memorySchemas from '@/lib/schemas/memory';
import { ExportLine, ImportResponse } from '@/lib/schemas/portability';
import { ALL_OPERATIONS, type Operation } from './operations';

type Json = Record<string, unknown>;

// Every exported response and view schema of the public surface becomes a shared component, referenced by name.
const COMPONENT_SOURCES: Record<string, unknown>[] = [memorySchemas, conversationSchemas, chatSchemas, keySchemas, maintenanceSchemas, { ExportLine, ImportResponse, ErrorResponse, ValidationErrorResponse }];

/**
 * Named components: responses and views (as the server writes them) and request bodies (as clients may send them,
 * defaults optional). JSON values are recursive, so they are one named schema that refers to itself.
 */
function componentRegistry(io: 'input' | 'output') {
  const registry = z.registry<{ id: string }>();
  const names = new Map<z.ZodType, string>([[JsonValue, 'JsonValue']]);
  registry.add(JsonValue, { id: 'JsonValue' });
  const pattern = io === 'output' ? /(Response|View|Line|Explanation)$/ : /Body$/;
  for (const source of COMPONENT_SOURCES) {
    for (const [name, schema] of Object.entries(source)) {
      if (!(schema instanceof z.ZodType) || !pattern.test(name) || names.has(schema)) continue;
      registry.add(schema, { id: name });
      names.set(schema, name);
    }
  }
  const generated = z.toJSONSchema(registry, { uri: (id) => `#/components/schemas/${id}`, io, unrepresentable: 'any' }) as { schemas: Record<string, Json> };
  const schemas = Object.fromEntries(
    Object.entries(generated.schemas).map(([name, schema]) => {
      const { $schema: _schema, $id: _id, ...rest } = schema; // eslint-disable-line @typescript-eslint/no-unused-vars
      return [name, rest];
    }),
  );
  return { schemas, names };
}

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const HEADERS = {
  'X-Request-Id': { description: 'The id of this request (quote it to support); sent back on every response.', schema: { type: 'string' } },
  'X-RateLimit-Limit': { description: 'Requests allowed per minute for this key.', schema: { type: 'integer' } },
  'X-RateLimit-Remaining': { description: 'Requests left in the current window.', schema: { type: 'integer' } },
  'X-RateLimit-Reset': { description: 'Unix time (seconds) when the window resets.', schema: { type: 'integer' } },
  'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } },
  'Server-Timing': { description: 'Where the time went: embed, db (with the number of queries), app, total (ms).', schema: { type: 'string' } },
};
const headerRefs = (...names: (keyof typeof HEADERS)[]) => Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }]));

const errorBody = (example: unknown) => ({ 'application/json': { schema: ref('ErrorResponse'), example } });
const ERROR_RESPONSES: Record<string, { status: number; json: Json }> = {
  BadRequest: { status: 400, json: { description: 'Malformed JSON or a request that cannot be served as sent', content: errorBody({ detail: 'Malformed JSON in request body' }) } },
  Unauthorized: { status: 401, json: { description: 'Missing or invalid credentials', content: errorBody({ detail: 'Invalid or missing API key' }) } },
  Forbidden: { status: 403, json: { description: "The API key's scopes (read-only, one agent) do not allow this", content: errorBody({ detail: 'API key does not have access to this resource' }) } },
  NotFound: { status: 404, json: { description: "Not found (another account's ids are not found either)", content: errorBody({ detail: 'Memory not found' }) } },
  PayloadTooLarge: { status: 413, json: { description: 'Body or content over its limit', content: errorBody({ detail: 'Request body exceeds the maximum of 1048576 bytes' }) } },
  UnsupportedMediaType: { status: 415, json: { description: 'Content-Type is not application/json', content: errorBody({ detail: 'Content-Type must be application/json' }) } },
  ValidationError: {
    status: 422,
    json: {
      description: 'Validation error: every bad field, with where it is',
      content: {
        'application/json': {
          schema: ref('ValidationErrorResponse'),
          example: { status: 'error', message: 'Validation error', details: [{ type: 'missing', loc: ['body', 'external_user_id'], msg: 'Field required' }], timestamp: '2026-11-30T12:00:00.000Z' },
        },
      },
    },
  },
  RateLimited: {
    status: 429,
    json: {
      description: 'Per-minute rate limit or a plan quota (searches, memories, tokens) exceeded',
      headers: headerRefs('Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'X-Request-Id'),
      content: errorBody({ detail: 'Rate limit exceeded. Upgrade your plan or wait.' }),
    },
  },
  InternalError: { status: 500, json: { description: 'Unexpected failure; the body names only the request id', content: errorBody({ detail: 'Internal server error. Please try again.', request_id: '0f8b…' }) } },
  BadGateway: { status: 502, json: { description: 'The embedding or language model provider failed; nothing was half-stored', content: errorBody({ detail: 'The embedding provider failed. Nothing was stored; please retry.' }) } },
  Unavailable: { status: 503, json: { description: 'The database, or the embedding model of the optional onnx provider, is unavailable (Retry-After)', content: errorBody({ detail: 'The database is unavailable. Please retry shortly.' }) } },
  Timeout: { status: 504, json: { description: 'The language model did not answer in time', content: errorBody({ detail: 'The language model did not answer in time. Please retry.' }) } },
};

/** The error statuses an operation can answer, from what it declares (auth, inputs, extra errors). */
export function errorStatusesOf(op: Operation): number[] {
  const statuses = new Set<number>(op.errors ?? []);
  if (op.auth === 'apiKey' || op.auth === 'session') [401, 429, 500, 503].forEach((s) => statuses.add(s));
  if (op.auth === 'apiKey') statuses.add(403);
  if (op.body || op.query || op.params) statuses.add(422);
  if (op.body) [400, 413, 415].forEach((s) => statuses.add(s));
  if (op.textBody) [413, 422].forEach((s) => statuses.add(s));
  if (op.params) statuses.add(404);
  return [...statuses].sort((a, b) => a - b);
}

function parameters(op: Operation): Json[] {
  const params: Json[] = [];
  for (const [where, schema] of [['path', op.params], ['query', op.query]] as const) {
    if (!schema) continue;
    const json = jsonSchema(schema, 'input') as { properties?: Record<string, Json>; required?: string[] };
    const examples = where === 'path' ? op.example?.params : op.example?.query;
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      const { description, ...rest } = property as Json & { description?: string };
      params.push({
        name,
        in: where,
        required: where === 'path' || (json.required?.includes(name) ?? false),
        ...(description ? { description } : {}),
        schema: rest,
        ...(examples?.[name] !== undefined ? { example: examples[name] } : {}),
      });
    }
  }
  return params;
}

function requestBody(op: Operation, names: Map<z.ZodType, string>): Json | undefined {
  const name = op.body ? names.get(op.body) : undefined;
  if (op.body) return { required: true, content: { 'application/json': { schema: name ? ref(name) : jsonSchema(op.body, 'input'), ...(op.example?.body !== undefined ? { example: op.example.body } : {}) } } };
  if (op.textBody) return { required: true, description: op.textBody.description, content: { [op.textBody.contentType]: { schema: { type: 'string' } } } };
  return undefined;
}

function successResponse(op: Operation, names: Map<z.ZodType, string>): Json {
  const content: Json = {};
  if (op.response) {
    const name = names.get(op.response);
    content['application/json'] = { schema: name ? ref(name) : jsonSchema(op.response, 'output'), ...(op.example?.response !== undefined ? { example: op.example.response } : {}) };
  }
  if (op.responseContentType === 'application/x-ndjson') {
    content['application/x-ndjson'] = { schema: { type: 'string', description: 'JSON Lines: one ExportLine object (see components) per line.' } };
  }
  if (op.streams) {
    content['text/event-stream'] = {
      schema: { type: 'string', description: op.streams },
    };
  }
  const authenticated = op.auth === 'apiKey' || op.auth === 'session';
  return {
    description: 'Success',
    headers: headerRefs(...(authenticated ? (['X-Request-Id', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'Server-Timing'] as const) : (['X-Request-Id'] as const))),
    ...(Object.keys(content).length ? { content } : {}),
  };
}

function operationObject(op: Operation, names: { input: Map<z.ZodType, string>; output: Map<z.ZodType, string> }): Json {
  const responses: Json = { [String(op.status ?? 200)]: successResponse(op, names.output) };
  const byStatus = new Map(Object.entries(ERROR_RESPONSES).map(([name, entry]) => [entry.status, name]));
  for (const status of errorStatusesOf(op)) responses[String(status)] = { $ref: `#/components/responses/${byStatus.get(status)}` };
  const body = requestBody(op, names.input);
  return {
    operationId: op.operationId,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    tags: [op.tag],
    security: [{ [op.auth === 'apiKey' ? 'apiKey' : 'sessionJwt']: [] }],
    parameters: parameters(op),
    ...(body ? { requestBody: body } : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of the public API, generated from the registry of operations. */
export function buildOpenApiDocument(serverUrl = 'http://localhost:3000') {
  const input = componentRegistry('input');
  const output = componentRegistry('output');
  const names = { input: input.names, output: output.names };
  const paths: Record<string, Json> = {};
  for (const op of ALL_OPERATIONS.filter((operation) => operation.audience === 'public')) {
    paths[op.path] ??= {};
    paths[op.path]![op.method.toLowerCase()] = operationObject(op, names);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Memory Layer API',
      version: '1.0.0',
      description: 'Persistent memory for AI applications. Every path also answers under /api/v1, with or without a trailing slash.',
    },
    servers: [{ url: serverUrl }],
    tags: [...new Set(ALL_OPERATIONS.filter((op) => op.audience === 'public').map((op) => op.tag))].map((name) => ({ name })),
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: `mlive_<id>_<secret>`' },
        sessionJwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A dashboard session JWT (Supabase Auth or the built-in local auth)' },
      },
      schemas: { ...input.schemas, ...output.schemas },
      headers: HEADERS,
      responses: Object.fromEntries(Object.entries(ERROR_RESPONSES).map(([name, entry]) => [name, entry.json])),
    },
    paths,
  };
}

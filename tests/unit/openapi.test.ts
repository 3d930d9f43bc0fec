import { compileErrors, validate } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import * as openapiRoute from '@/app/api/v1/openapi.json/route';
import { buildOpenApiDocument, errorStatusesOf } from '@/lib/api/openapi';
import { ALL_OPERATIONS, OPERATIONS, type Operation } from '@/lib/api/operations';
import { call } from '@/tests/helpers/http';

type Json = Record<string, any>;

const document: Json = buildOpenApiDocument('https://memory.example.com');
const PUBLIC = ALL_OPERATIONS.filter((op) => op.audience === 'public');

/** Follows a local `$ref` (`#/components/…`) to what it names. */
function resolve(value: Json): Json {
  if (typeof value.$ref !== 'string') return value;
  const target = (value.$ref as string).replace(/^#\//, '').split('/').reduce<Json | undefined>((node, key) => node?.[key], document);
  if (!target) throw new Error(`unresolved ${value.$ref}`);
  return resolve(target);
}

const operationIn = (op: Operation): Json | undefined => document.paths[op.path]?.[op.method.toLowerCase()];
const responseOf = (op: Operation, status: number): Json | undefined => {
  const response = operationIn(op)?.responses?.[String(status)];
  return response && resolve(response);
};

describe('OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await validate(structuredClone(document) as Parameters<typeof validate>[0]);
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
    expect(document.openapi).toBe('3.1.0');
  });

  it.each(PUBLIC.map((op) => [op.operationId, op] as const))('documents %s under its method and path', (_id, op) => {
    expect(operationIn(op)?.operationId).toBe(op.operationId);
  });

  it('documents only the public operations', () => {
    const documented = Object.values(document.paths as Json).flatMap((methods: Json) => Object.values(methods).map((operation: Json) => operation.operationId));
    expect(documented.sort()).toEqual(PUBLIC.map((op) => op.operationId).sort());
  });

  it.each(PUBLIC.map((op) => [op.operationId, op] as const))('%s lists its success and every error status it can answer', (_id, op) => {
    const statuses = Object.keys(operationIn(op)?.responses ?? {}).map(Number);
    expect(statuses).toEqual(expect.arrayContaining([op.status ?? 200, ...errorStatusesOf(op)]));
  });

  it.each(PUBLIC.map((op) => [op.operationId, op] as const))('%s: its 429 names Retry-After and the X-RateLimit-* headers', (_id, op) => {
    const headers = responseOf(op, 429)?.headers as Json;
    for (const name of ['Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset']) {
      expect(headers?.[name], `${op.operationId} 429 lacks ${name}`).toBeDefined();
      expect(resolve(headers[name]).schema).toEqual({ type: 'integer' });
    }
  });

  it("chat's 200 can be a server-sent event stream", () => {
    const content = responseOf(OPERATIONS.chat, 200)?.content as Json;
    expect(Object.keys(content)).toEqual(expect.arrayContaining(['application/json', 'text/event-stream']));
  });

  it("export's 200 is JSON Lines", () => {
    const content = responseOf(OPERATIONS.exportMemories, 200)?.content as Json;
    expect(Object.keys(content)).toEqual(['application/x-ndjson']);
  });
});

describe('GET /v1/openapi.json', () => {
  it('serves the generated document for the origin it is asked from', async () => {
    const res = await call(openapiRoute.GET, 'GET', 'https://memory.example.com/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(res.body.servers).toEqual([{ url: 'https://memory.example.com' }]);
    expect(res.body).toEqual(buildOpenApiDocument('https://memory.example.com'));
  });
});

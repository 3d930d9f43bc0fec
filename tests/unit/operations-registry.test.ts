import fs from 'node:fs';
import path from 'node:path';
import { assertMatchesContract } from '@/tests/helpers/response-contract';
import { describe, expect, it } from 'vitest';
import { ALL_OPERATIONS, routeFileOf, type Operation } from '@/lib/api/operations';

// The registry and the route files must describe the same set of endpoints: a route without an entry, or an entry
// without a route, fails here.

const ROOT = path.resolve(import.meta.dirname, '../..');
const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

function routeFilesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFilesUnder(full);
    return entry.name === 'route.ts' ? [path.relative(ROOT, full).split(path.sep).join('/')] : [];
  });
}

const importRoute = (file: string) => import(path.join(ROOT, file)) as Promise<Record<string, unknown>>;
const servedOperation = (handler: unknown) => (handler as { operation?: Operation } | undefined)?.operation;

const ROUTE_FILES = routeFilesUnder(path.join(ROOT, 'app/api')).sort();

describe('route files → registry', () => {
  it('finds the route files', () => {
    expect(ROUTE_FILES).toContain('app/api/v1/memory/route.ts');
  });

  it.each(ROUTE_FILES)('%s: every handler serves a registered operation at this file', async (file) => {
    const routeModule = await importRoute(file);
    const handlers = HTTP_METHODS.filter((method) => routeModule[method] !== undefined);
    expect(handlers.length, `${file} exports no HTTP handler`).toBeGreaterThan(0);
    for (const method of handlers) {
      const operation = servedOperation(routeModule[method]);
      expect(operation, `${file} ${method} has no .operation (build it with route() or servesOperation())`).toBeDefined();
      expect(ALL_OPERATIONS, `${file} ${method}: ${operation!.operationId} is not in ALL_OPERATIONS`).toContain(operation);
      expect(operation!.method, `${file} ${method} serves ${operation!.operationId}`).toBe(method);
      expect(routeFileOf(operation!), `${operation!.operationId} is served from ${file}`).toBe(file);
    }
  });
});

describe('registry → route files', () => {
  it.each(ALL_OPERATIONS.map((op) => [op.operationId, op] as const))('%s is served by its route file', async (_id, op) => {
    const file = routeFileOf(op);
    expect(fs.existsSync(path.join(ROOT, file)), `${file} is missing`).toBe(true);
    const routeModule = await importRoute(file);
    expect(servedOperation(routeModule[op.method]), `${file} does not export ${op.method} serving ${op.operationId}`).toBe(op);
  });
});

describe('registry entries', () => {
  it('has unique operationIds', () => {
    const ids = ALL_OPERATIONS.map((op) => op.operationId);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it('has one operation per method and path', () => {
    const pairs = ALL_OPERATIONS.map((op) => `${op.method} ${op.path}`);
    expect(pairs.filter((pair, i) => pairs.indexOf(pair) !== i)).toEqual([]);
  });

  const documented = ALL_OPERATIONS.filter((op) => op.audience === 'public' && (op.auth === 'apiKey' || op.auth === 'session'));

  it('documents authenticated public operations', () => {
    expect(documented.length).toBeGreaterThan(20);
  });

  it.each(documented.map((op) => [op.operationId, op] as const))('%s declares its response and an example', (_id, op) => {
    // Export streams JSON Lines: its success body has a content type instead of a JSON schema.
    expect(op.response ?? op.responseContentType, `${op.operationId} has no response schema`).toBeDefined();
    expect(op.example, `${op.operationId} has no example`).toBeDefined();
  });

  it.each(documented.filter((op) => op.example?.response !== undefined && op.response).map((op) => [op.operationId, op] as const))(
    "%s's example response matches its response schema, with no undeclared fields",
    (_id, op) => {
      expect(() => assertMatchesContract(op, op.status ?? 200, 'application/json', op.example!.response)).not.toThrow();
    },
  );
  it.each(documented.filter((op) => op.example?.body !== undefined && op.body).map((op) => [op.operationId, op] as const))(
    "%s's example request is valid",
    (_id, op) => {
      expect(op.body!.safeParse(op.example!.body).success).toBe(true);
    },
  );
});

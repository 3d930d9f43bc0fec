import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { OPERATIONS, type Operation } from '@/lib/api/operations';
import { drainDeferred } from '@/lib/core/after-response';
import { handlerOf } from './routes';

type RouteHandler = (request: Request, context: { params: Promise<Record<string, string | string[] | undefined>> }) => Promise<Response>;

/** A route served besides the registry's (e.g. `/mcp`): a path template with `{param}` parts and its handlers. */
export interface ExtraRoute {
  path: string;
  handlers: Partial<Record<string, RouteHandler>>;
}

export interface AppServer {
  /** e.g. `http://127.0.0.1:43123`, without a trailing slash. */
  url: string;
  close(): Promise<void>;
}

const trimSlash = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p);

function compile(template: string): RegExp {
  const pattern = trimSlash(template)
    .split('/')
    .map((part) => (/^\{\w+\}$/.test(part) ? `(?<${part.slice(1, -1)}>[^/]+)` : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${pattern}/?$`);
}

/**
 * A real HTTP server over the app's route handlers, for clients that speak HTTP (the SDKs, the `openai` client, the
 * MCP client, Debian's python3). It serves every operation of the registry at its public path (as the proxy does,
 * `/v1/…` without `/api`) plus any extra routes, on the services `startTestApp` installed. Static templates win over
 * parameterised ones (`/v1/memory/search` before `/v1/memory/{memory_id}`), as in Next.js.
 */
export async function startAppServer(extra: ExtraRoute[] = []): Promise<AppServer> {
  const routes: { regex: RegExp; params: number; method: string; load: () => Promise<RouteHandler> }[] = [];
  for (const op of Object.values(OPERATIONS) as Operation[]) {
    routes.push({ regex: compile(op.path), params: (op.path.match(/\{/g) ?? []).length, method: op.method, load: async () => (await handlerOf(op)) as RouteHandler });
  }
  for (const route of extra) {
    for (const [method, handler] of Object.entries(route.handlers)) {
      if (handler) routes.push({ regex: compile(route.path), params: (route.path.match(/\{/g) ?? []).length, method, load: async () => handler });
    }
  }
  routes.sort((a, b) => a.params - b.params);

  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
      const pathname = url.pathname.startsWith('/api/v1/') ? url.pathname.slice(4) : url.pathname;
      const candidates = routes.filter((r) => r.regex.test(pathname));
      const route = candidates.find((r) => r.method === req.method);
      if (!route) {
        res.writeHead(candidates.length ? 405 : 404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ detail: candidates.length ? 'Method Not Allowed' : 'Not Found' }));
        return;
      }
      // Decoded, as Next.js hands dynamic segments to a route (`john%40example.com` → `john@example.com`).
      const params = Object.fromEntries(Object.entries(route.regex.exec(pathname)?.groups ?? {}).map(([name, value]) => [name, decodeURIComponent(value)]));
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (Array.isArray(value)) value.forEach((v) => headers.append(name, v));
        else if (value !== undefined) headers.set(name, value);
      }
      const body = chunks.length && req.method !== 'GET' && req.method !== 'HEAD' ? Buffer.concat(chunks) : undefined;
      const handler = await route.load();
      const response = await handler(new Request(url, { method: req.method, headers, body }), { params: Promise.resolve(params) });
      const outHeaders: Record<string, string> = {};
      response.headers.forEach((value, name) => (outHeaders[name] = value));
      res.writeHead(response.status, outHeaders);
      if (response.body) {
        const reader = response.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          res.write(value);
        }
      }
      res.end();
      await drainDeferred();
    } catch (error) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ detail: `test server: ${(error as Error).message}` }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

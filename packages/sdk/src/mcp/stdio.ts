import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import {
  CallToolRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';

// `npx @memory-layer/sdk mcp`: a stdio MCP server for desktop clients (Claude Desktop, …) that forwards everything to
// the hosted Streamable HTTP endpoint, so the tools are defined once, on the server.

export interface StdioBridgeOptions {
  apiKey: string;
  /** Where the app runs, e.g. https://memory.example.com; the endpoint is `${baseUrl}/mcp`. */
  baseUrl: string;
  /** Binds every call to one end user (sent as X-End-User-Id); otherwise each call names its own. */
  endUserId?: string;
}

export const DEFAULT_BASE_URL = 'http://localhost:3000';
const BRIDGE_INFO = { name: 'memory-layer-stdio', version: '0.1.0' };

/** Reads MEMORY_LAYER_API_KEY, MEMORY_LAYER_BASE_URL and MEMORY_LAYER_USER_ID; throws with what is missing. */
export function optionsFromEnv(env: Record<string, string | undefined>): StdioBridgeOptions {
  const apiKey = env.MEMORY_LAYER_API_KEY?.trim();
  if (!apiKey) throw new Error('MEMORY_LAYER_API_KEY is not set: create an API key in the Memory Layer dashboard and pass it in the environment.');
  const endUserId = env.MEMORY_LAYER_USER_ID?.trim() || undefined;
  return { apiKey, baseUrl: env.MEMORY_LAYER_BASE_URL?.trim() || DEFAULT_BASE_URL, endUserId };
}

/** The hosted endpoint of a base URL, keeping any path prefix (https://host/memory → https://host/memory/mcp). */
export function mcpEndpoint(baseUrl: string): URL {
  return new URL(`${baseUrl.replace(/\/+$/, '')}/mcp`);
}

/** Connects to the hosted endpoint; a wrong key or URL fails here, before the desktop client is told we are ready. */
export async function connectRemote(options: StdioBridgeOptions): Promise<Client> {
  const headers: Record<string, string> = { Authorization: `Bearer ${options.apiKey}` };
  if (options.endUserId) headers['X-End-User-Id'] = options.endUserId;
  const remote = new Client(BRIDGE_INFO);
  await remote.connect(new StreamableHTTPClientTransport(mcpEndpoint(options.baseUrl), { requestInit: { headers } }));
  return remote;
}

/** A local server that lists the remote tools and resources and forwards every call, unchanged. */
export function bridgeServer(remote: Client): McpServer {
  const server = new McpServer(BRIDGE_INFO, { capabilities: { tools: {}, resources: {} }, instructions: remote.getInstructions() });
  // Forwarded as they are (JSON Schemas included), so the low-level handlers rather than registerTool's zod schemas.
  server.server.setRequestHandler(ListToolsRequestSchema, (request) => remote.listTools(request.params));
  server.server.setRequestHandler(CallToolRequestSchema, (request) => remote.callTool(request.params));
  server.server.setRequestHandler(ListResourcesRequestSchema, (request) => remote.listResources(request.params));
  server.server.setRequestHandler(ListResourceTemplatesRequestSchema, (request) => remote.listResourceTemplates(request.params));
  server.server.setRequestHandler(ReadResourceRequestSchema, (request) => remote.readResource(request.params));
  return server;
}

/** Runs the bridge until stdin closes. Logs go to stderr: stdout carries the protocol. */
export async function runStdioBridge(env: Record<string, string | undefined> = process.env): Promise<void> {
  const options = optionsFromEnv(env);
  let remote: Client;
  try {
    remote = await connectRemote(options);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    // StreamableHTTPError carries the HTTP status as `code`.
    const hint = (error as { code?: unknown }).code === 401 ? ' (the API key was refused: check MEMORY_LAYER_API_KEY)' : '';
    throw new Error(`Cannot reach the Memory Layer MCP endpoint at ${mcpEndpoint(options.baseUrl).href}${hint}: ${reason}`);
  }
  const server = bridgeServer(remote);
  const transport = new StdioServerTransport();
  transport.onclose = () => void remote.close();
  await server.connect(transport);
  console.error(`memory-layer mcp: bridging stdio to ${mcpEndpoint(options.baseUrl).href}${options.endUserId ? ` as end user ${options.endUserId}` : ''}`);
}

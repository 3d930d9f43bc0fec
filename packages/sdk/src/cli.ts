#!/usr/bin/env node
// The `memory-layer` command of @memory-layer/sdk (npx @memory-layer/sdk <command>).
import { runStdioBridge } from './mcp/stdio.js';

const USAGE = `Usage: npx @memory-layer/sdk <command>

Commands:
  mcp    A stdio MCP server for desktop clients (Claude Desktop, Cursor, VS Code), forwarding to your Memory Layer's /mcp.
         Environment: MEMORY_LAYER_API_KEY (required), MEMORY_LAYER_BASE_URL (default http://localhost:3000),
         MEMORY_LAYER_USER_ID (optional: one end user for every call).
`;

async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  if (command === 'mcp') {
    await runStdioBridge(process.env);
    return -1; // keeps running until the client closes stdin
  }
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return command === undefined ? 1 : 0;
  }
  process.stderr.write(`Unknown command: ${command}\n\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`memory-layer: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);

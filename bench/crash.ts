// npm run crash [-- --port 3600]
// Durability check: kill -9 the production server in the middle of a write burst (embedded PGlite on disk),
// restart it on the same DATA_DIR, and check that every acknowledged store (201) is there, whole.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createAccountAndKey, startServer } from './lib';

const { values } = parseArgs({ options: { port: { type: 'string', default: '3600' }, writes: { type: 'string', default: '400' } } });
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'memory-layer-crash-'));
const port = Number(values.port);

let server = await startServer(port, { DATA_DIR: dataDir, DEFAULT_PLAN: 'enterprise' }, { keepData: true });
const apiKey = await createAccountAndKey(server.baseUrl);
const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
const acknowledged: { id: string; content: string }[] = [];
let next = 0;
const target = Number(values.writes);
const writers = Array.from({ length: 8 }, async () => {
  while (next < target) {
    const content = `Crash test memory ${next++} with some text to embed`;
    try {
      const res = await fetch(`${server.baseUrl}/v1/memory/`, { method: 'POST', headers, body: JSON.stringify({ content, external_user_id: `crash-${next % 10}` }) });
      if (res.status === 201) acknowledged.push({ id: ((await res.json()) as { memory: { id: string } }).memory.id, content });
    } catch {
      return; // the server is gone
    }
  }
});
// Kill once a good part of the burst is acknowledged.
while (acknowledged.length < target / 3) await new Promise((resolve) => setTimeout(resolve, 20));
for (const pid of server.pids()) {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
await Promise.all(writers);
console.log(`killed with -9 after ${acknowledged.length} acknowledged stores`);

server = await startServer(port, { DATA_DIR: dataDir, DEFAULT_PLAN: 'enterprise' }, { keepData: true });
let missing = 0;
let wrong = 0;
for (const memory of acknowledged) {
  const res = await fetch(`${server.baseUrl}/v1/memory/${memory.id}`, { headers });
  if (res.status !== 200) missing += 1;
  else if (((await res.json()) as { content: string }).content !== memory.content) wrong += 1;
}
const stats = (await (await fetch(`${server.baseUrl}/v1/memory/stats`, { headers })).json()) as { total_memories: number };
console.log(`after restart: ${acknowledged.length - missing} of ${acknowledged.length} acknowledged stores present, ${missing} missing, ${wrong} altered; ${stats.total_memories} memories in total (unacknowledged in-flight writes may or may not be there)`);
await server.stop();
fs.rmSync(dataDir, { recursive: true, force: true });
process.exitCode = missing > 0 || wrong > 0 ? 1 : 0;

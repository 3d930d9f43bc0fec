import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

type Reply = string | number | null | Reply[] | { error: string };

/** A minimal RESP client over one TCP connection, commands answered in order. */
class RespClient {
  private buffer = Buffer.alloc(0);
  private waiting: ((reply: Reply) => void)[] = [];
  constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      for (;;) {
        const parsed = parse(this.buffer, 0);
        if (!parsed) break;
        this.buffer = this.buffer.subarray(parsed.end);
        this.waiting.shift()!(parsed.value);
      }
    });
  }
  send(args: (string | number)[]): Promise<Reply> {
    const parts = args.map((arg) => Buffer.from(String(arg)));
    this.socket.write(Buffer.concat([Buffer.from(`*${parts.length}\r\n`), ...parts.flatMap((p) => [Buffer.from(`$${p.length}\r\n`), p, Buffer.from('\r\n')])]));
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}

function parse(buffer: Buffer, start: number): { value: Reply; end: number } | undefined {
  const lineEnd = buffer.indexOf('\r\n', start);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buffer[start]!);
  const line = buffer.toString('utf8', start + 1, lineEnd);
  const next = lineEnd + 2;
  if (type === '+') return { value: line, end: next };
  if (type === '-') return { value: { error: line }, end: next };
  if (type === ':') return { value: Number(line), end: next };
  if (type === '$') {
    const length = Number(line);
    if (length < 0) return { value: null, end: next };
    if (buffer.length < next + length + 2) return undefined;
    return { value: buffer.toString('utf8', next, next + length), end: next + length + 2 };
  }
  if (type === '*') {
    const count = Number(line);
    if (count < 0) return { value: null, end: next };
    const items: Reply[] = [];
    let position = next;
    for (let i = 0; i < count; i++) {
      const item = parse(buffer, position);
      if (!item) return undefined;
      items.push(item.value);
      position = item.end;
    }
    return { value: items, end: position };
  }
  throw new Error(`unexpected RESP type ${type}`);
}

const encodeBase64 = (value: Reply): Reply =>
  typeof value === 'string' ? Buffer.from(value).toString('base64') : Array.isArray(value) ? value.map(encodeBase64) : value;

/**
 * Debian's redis-server behind an HTTP endpoint that speaks Upstash's REST protocol (POST / with a JSON command,
 * /pipeline and /multi-exec with arrays, Bearer token, optional base64 response encoding), so @upstash/redis and
 * @upstash/ratelimit run unchanged against a real Redis.
 */
export async function startUpstashCompatibleRedis(token = 'test-token') {
  const redisPort = 20_000 + Math.floor(Math.random() * 20_000);
  const redis: ChildProcess = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  let socket: net.Socket | undefined;
  for (let attempt = 0; attempt < 50 && !socket; attempt++) {
    socket = await new Promise<net.Socket | undefined>((resolve) => {
      const s = net.connect(redisPort, '127.0.0.1', () => resolve(s));
      s.once('error', () => resolve(undefined));
    });
    if (!socket) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!socket) throw new Error('redis-server did not start (is it installed? apt-get install redis-server)');
  const client = new RespClient(socket);
  // Upstash accepts the `#!lua flags=allow-key-locking` shebang of @upstash/ratelimit's scripts; Redis 7.0 does not.
  // Strip it, and translate the client's script hashes to the stripped scripts' hashes.
  const shaOf = (script: string) => createHash('sha1').update(script).digest('hex');
  const scripts = new Map<string, string>();
  const adapt = (command: (string | number)[]): (string | number)[] => {
    const name = String(command[0]).toUpperCase();
    if (name === 'EVAL' || (name === 'SCRIPT' && String(command[1]).toUpperCase() === 'LOAD')) {
      const index = name === 'EVAL' ? 1 : 2;
      const original = String(command[index]);
      const stripped = original.replace(/^#!lua flags=[^\n]*\n/, '');
      scripts.set(shaOf(original), shaOf(stripped));
      return command.map((part, i) => (i === index ? stripped : part));
    }
    if (name === 'EVALSHA') return command.map((part, i) => (i === 1 ? (scripts.get(String(part)) ?? part) : part));
    return command;
  };
  let chain = Promise.resolve();
  const run = (command: (string | number)[]) => {
    const result = chain.then(() => client.send(adapt(command)));
    chain = result.then(() => undefined);
    return result;
  };
  const toJson = (reply: Reply, base64: boolean) =>
    reply && typeof reply === 'object' && !Array.isArray(reply) && 'error' in reply ? { error: reply.error } : { result: base64 ? encodeBase64(reply) : reply };

  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', async () => {
      if (req.headers.authorization !== `Bearer ${token}`) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'Unauthorized' }));
        return;
      }
      const base64 = req.headers['upstash-encoding'] === 'base64';
      const body = JSON.parse(raw || '[]');
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/pipeline' || path === '/multi-exec') {
        const replies = [];
        for (const command of body) replies.push(toJson(await run(command), base64));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(replies));
        return;
      }
      const reply = toJson(await run(body), base64);
      res.writeHead('error' in reply ? 400 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    token,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      socket!.destroy();
      redis.kill('SIGTERM');
    },
  };
}

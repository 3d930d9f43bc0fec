import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: any;
}

export type Behaviour = { kind: 'reply'; text: string } | { kind: 'error'; status: number } | { kind: 'hang' };

/**
 * A real HTTP server that speaks the OpenAI Chat Completions and Google Gemini wire formats (JSON and SSE),
 * records every request, and answers with the configured behaviour.
 */
export async function startFakeLlmServer() {
  const requests: RecordedRequest[] = [];
  let behaviour: Behaviour = { kind: 'reply', text: 'Hello from the fake model.' };
  const hanging = new Set<http.ServerResponse>();

  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const body = raw ? JSON.parse(raw) : undefined;
      requests.push({ path: req.url ?? '', headers: req.headers, body });
      if (behaviour.kind === 'hang') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      if (behaviour.kind === 'error') {
        res.writeHead(behaviour.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'upstream exploded', type: 'server_error', code: behaviour.status } }));
        return;
      }
      const text = behaviour.text;
      const url = req.url ?? '';
      if (url.includes('/chat/completions')) return openAi(res, text, body?.stream === true);
      if (url.includes(':streamGenerateContent')) return gemini(res, text, true);
      if (url.includes(':generateContent')) return gemini(res, text, false);
      res.writeHead(404).end();
    });
  });

  function openAi(res: http.ServerResponse, text: string, stream: boolean) {
    const base = { id: 'chatcmpl-test', created: 1_700_000_000, model: 'fake-model' };
    const usage = { prompt_tokens: 42, completion_tokens: 7, total_tokens: 49 };
    if (!stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ...base, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }], usage }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const pieces = text.split(/(?<= )/);
    for (const [i, piece] of pieces.entries()) {
      const delta = i === 0 ? { role: 'assistant', content: piece } : { content: piece };
      res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`);
    }
    res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage })}\n\n`);
    res.end('data: [DONE]\n\n');
  }

  function gemini(res: http.ServerResponse, text: string, stream: boolean) {
    const usageMetadata = { promptTokenCount: 40, candidatesTokenCount: 6, totalTokenCount: 46 };
    const chunk = (part: string, final: boolean) => ({
      candidates: [{ content: { parts: [{ text: part }], role: 'model' }, index: 0, ...(final ? { finishReason: 'STOP' } : {}) }],
      ...(final ? { usageMetadata } : {}),
    });
    if (!stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(chunk(text, true)));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const pieces = text.split(/(?<= )/);
    for (const [i, piece] of pieces.entries()) res.write(`data: ${JSON.stringify(chunk(piece, i === pieces.length - 1))}\n\n`);
    res.end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    /** Requests the server is holding open (behaviour "hang"); a closed client connection leaves this set. */
    hangingCount: () => hanging.size,
    setBehaviour(next: Behaviour) {
      behaviour = next;
    },
    async stop() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { backoffDelayMs, errorFromResponse, isIdempotent, MemoryLayer, NotFoundError, parseRetryAfter, ValidationError } from '@/packages/sdk/src/index';
import { latestUserText, withMemoryBlock } from '@/packages/sdk/src/ai-sdk';

const ROOT = path.resolve(import.meta.dirname, '../..');

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('SDK pieces', () => {
  it('warns once, in a browser only, that an API key must never ship to a browser', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    new MemoryLayer({ apiKey: 'mlive_a_b' });
    expect(warn).not.toHaveBeenCalled();
    vi.stubGlobal('window', {});
    new MemoryLayer({ apiKey: 'mlive_a_b' });
    new MemoryLayer({ apiKey: 'mlive_a_b' });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/API key must never ship to a browser/);
  });

  it('refuses to start without a key', () => {
    vi.stubEnv('MEMORY_LAYER_API_KEY', '');
    expect(() => new MemoryLayer()).toThrow(/API key is required/);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3);
    expect(parseRetryAfter(new Date(Date.UTC(2026, 0, 1, 0, 0, 30)).toUTCString(), Date.UTC(2026, 0, 1))).toBe(30);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it('backs off exponentially with jitter, capped', () => {
    expect([1, 2, 3].map((retry) => backoffDelayMs(retry, 500, 8_000, () => 1))).toEqual([500, 1000, 2000]);
    expect(backoffDelayMs(3, 500, 8_000, () => 0)).toBe(1000);
    expect(backoffDelayMs(10, 500, 8_000, () => 1)).toBe(8000);
  });

  it('knows which requests may be sent twice', () => {
    expect(isIdempotent(new Request('http://x/v1/memory/stats'))).toBe(true);
    expect(isIdempotent(new Request('http://x/v1/memory/abc', { method: 'DELETE' }))).toBe(true);
    expect(isIdempotent(new Request('http://x/v1/memory/search', { method: 'POST' }))).toBe(true);
    expect(isIdempotent(new Request('http://x/v1/context', { method: 'POST' }))).toBe(true);
    expect(isIdempotent(new Request('http://x/v1/memory/', { method: 'POST' }))).toBe(false);
    expect(isIdempotent(new Request('http://x/v1/ingest', { method: 'POST' }))).toBe(false);
  });

  it('types errors from the status and the body', () => {
    const headers = new Headers({ 'x-request-id': 'r1' });
    const validation = errorFromResponse(422, headers, { status: 'error', message: 'Validation error', details: [{ type: 'missing', loc: ['body', 'userId'], msg: 'Field required' }] });
    expect(validation).toBeInstanceOf(ValidationError);
    expect(validation).toMatchObject({ status: 422, code: 'validation', detail: 'Validation error', requestId: 'r1', details: [{ loc: ['body', 'userId'] }] });
    expect(errorFromResponse(404, headers, { detail: 'Memory not found' })).toBeInstanceOf(NotFoundError);
    expect(errorFromResponse(502, new Headers(), '<html>bad gateway</html>')).toMatchObject({ code: 'server_error', detail: '<html>bad gateway</html>' });
  });

  it('middleware helpers: the latest user text, the block appended to the system prompt or put first', () => {
    const prompt = [
      { role: 'system' as const, content: 'Be brief.' },
      { role: 'user' as const, content: [{ type: 'text' as const, text: 'first' }] },
      { role: 'assistant' as const, content: [{ type: 'text' as const, text: 'ok' }] },
      { role: 'user' as const, content: [{ type: 'text' as const, text: 'second' }, { type: 'text' as const, text: 'part' }] },
    ];
    expect(latestUserText(prompt)).toBe('second\npart');
    expect(latestUserText([{ role: 'system', content: 'x' }])).toBeUndefined();
    expect(withMemoryBlock(prompt, '## Known')[0]).toEqual({ role: 'system', content: 'Be brief.\n\n## Known' });
    expect(withMemoryBlock(prompt.slice(1), '## Known')[0]).toEqual({ role: 'system', content: '## Known' });
  });
});

// The package as users install it: `npm run sdk:build` (a type error fails here), then plain Node imports its exports.
describe('SDK build', () => {
  it('builds with its own tsconfig and its entry points load in Node by package name', () => {
    execFileSync('npm', ['run', '-s', 'sdk:build'], { cwd: ROOT, stdio: 'pipe' });
    const script = [
      "const sdk = await import('@memory-layer/sdk');",
      "const ai = await import('@memory-layer/sdk/ai');",
      "const generated = await import('@memory-layer/sdk/generated');",
      "const ml = new sdk.MemoryLayer({ apiKey: 'mlive_a_b', baseUrl: 'http://127.0.0.1:9' });",
      "console.log(JSON.stringify({ client: typeof ml.remember, api: typeof ml.api.getMemoryStats, middleware: typeof ai.memoryMiddleware, tools: Object.keys(ai.memoryTools({ client: ml, userId: 'u' })), generated: typeof generated.MemoryLayerApi, error: new sdk.NotFoundError({ status: 404, detail: 'x' }) instanceof sdk.MemoryLayerError }));",
    ].join('\n');
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: path.join(ROOT, 'packages/sdk'), encoding: 'utf8' });
    expect(JSON.parse(output)).toEqual({ client: 'function', api: 'function', middleware: 'function', tools: ['remember', 'recall'], generated: 'function', error: true });
  }, 120_000);
});

import { describe, expect, it } from 'vitest';
import { SearchMemoriesBody, SearchMemoriesQuery } from '@/lib/schemas/memory';
import { parseWith, readJsonBody } from '@/lib/api/parse';
import { ApiError } from '@/lib/errors';

function validationOf(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    return error as ApiError;
  }
  throw new Error('expected a validation error');
}

describe('parseWith', () => {
  it('reports missing fields as pydantic does', () => {
    const error = validationOf(() => parseWith(SearchMemoriesBody, { external_user_id: 'u' }, 'body'));
    expect(error.code).toBe('validation');
    expect(error.details).toEqual([{ type: 'missing', loc: ['body', 'query'], msg: 'Field required' }]);
  });
  it('applies documented defaults', () => {
    expect(parseWith(SearchMemoriesBody, { query: 'q', external_user_id: ' u ' }, 'body')).toEqual({ query: 'q', external_user_id: 'u', limit: 10, similarity_threshold: 0.35, mode: 'hybrid', explain: false });
    expect(parseWith(SearchMemoriesQuery, { query: 'q', external_user_id: 'u', limit: '5', similarity_threshold: '.3' }, 'query')).toEqual({ query: 'q', external_user_id: 'u', limit: 5, similarity_threshold: 0.3, mode: 'hybrid', explain: false });
  });
});

describe('readJsonBody', () => {
  const request = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) => new Request('http://x/', { method: 'POST', body, headers });
  it('parses JSON and treats an empty body as {}', async () => {
    expect(await readJsonBody(request('{"a":1}'), 100)).toEqual({ a: 1 });
    expect(await readJsonBody(request(''), 100)).toEqual({});
  });
  it('refuses oversize, non-JSON and malformed bodies with the right codes', async () => {
    await expect(readJsonBody(request('x'.repeat(200)), 100)).rejects.toMatchObject({ code: 'payload_too_large' });
    await expect(readJsonBody(request('a=b', { 'content-type': 'text/plain' }), 100)).rejects.toMatchObject({ code: 'unsupported_media_type' });
    await expect(readJsonBody(request('{'), 100)).rejects.toMatchObject({ code: 'bad_request' });
  });
});

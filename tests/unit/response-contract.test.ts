import { describe, expect, it } from 'vitest';
import { OPERATIONS } from '@/lib/api/operations';
import { assertMatchesContract } from '../helpers/response-contract';

const memory = {
  id: '3f2c6a4e-9b1d-4c55-8e2a-0d7f1b6c9a10',
  content: 'x',
  external_user_id: 'u',
  metadata: {},
  importance_score: 0.5,
  access_count: 0,
  created_at: '2026-11-30T12:00:00.000Z',
  updated_at: '2026-11-30T12:00:00.000Z',
  last_accessed_at: null,
};

describe('response contract check (tests/helpers/response-contract.ts)', () => {
  const json = 'application/json';
  it('accepts the declared shape and the error shapes', () => {
    expect(() => assertMatchesContract(OPERATIONS.getMemory, 200, json, memory)).not.toThrow();
    expect(() => assertMatchesContract(OPERATIONS.getMemory, 404, json, { detail: 'Memory not found' })).not.toThrow();
    expect(() => assertMatchesContract(OPERATIONS.getMemory, 422, json, { status: 'error', message: 'Validation error', details: [{ type: 'missing', loc: ['query', 'x'], msg: 'Field required' }], timestamp: 't' })).not.toThrow();
  });
  it('refuses a missing field, a wrong type and an undeclared field', () => {
    const { content: _content, ...missing } = memory; // eslint-disable-line @typescript-eslint/no-unused-vars
    expect(() => assertMatchesContract(OPERATIONS.getMemory, 200, json, missing)).toThrow(/does not match/);
    expect(() => assertMatchesContract(OPERATIONS.getMemory, 200, json, { ...memory, access_count: '0' })).toThrow(/does not match/);
    expect(() => assertMatchesContract(OPERATIONS.storeMemory, 201, json, { status: 'success', memory: { ...memory, secret: 1 } })).toThrow(/undeclared fields \$\.memory\.secret/);
    expect(() => assertMatchesContract(OPERATIONS.getMemory, 404, json, { message: 'nope' })).toThrow(/does not match/);
  });
  it('refuses a success status other than the declared one', () => {
    expect(() => assertMatchesContract(OPERATIONS.storeMemory, 200, json, { status: 'success', memory })).toThrow(/declared 201/);
  });
});

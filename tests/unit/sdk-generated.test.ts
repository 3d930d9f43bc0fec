import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GENERATED_DIR, OPENAPI_FILE, generateClient, openApiJson, readTree } from '@/scripts/sdk-codegen';

const STALE = 'The committed TypeScript SDK is stale: run npm run sdk:generate and commit packages/sdk.';
const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdk-generate-'));
afterAll(() => fs.rmSync(tempDir, { recursive: true, force: true }));

// CI's staleness check: the registry's OpenAPI document and the client generated from it must equal what is committed.
describe('generated SDK is up to date', () => {
  it('packages/sdk/openapi.json is the registry’s OpenAPI document', () => {
    expect(fs.readFileSync(OPENAPI_FILE, 'utf8') === openApiJson(), STALE).toBe(true);
  });

  it('packages/sdk/src/generated is what @hey-api/openapi-ts writes from it', async () => {
    const input = path.join(tempDir, 'openapi.json');
    fs.writeFileSync(input, openApiJson());
    const output = path.join(tempDir, 'generated');
    await generateClient(input, output);
    const fresh = readTree(output);
    const committed = readTree(GENERATED_DIR);
    expect(fresh.size).toBeGreaterThan(5);
    expect([...committed.keys()].sort(), STALE).toEqual([...fresh.keys()].sort());
    const differing = [...fresh].filter(([file, text]) => committed.get(file) !== text).map(([file]) => file);
    expect(differing, STALE).toEqual([]);
  }, 60_000);
});

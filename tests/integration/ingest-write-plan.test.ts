// Review of ingest's write plan (issue 18 hardening): the extraction model names the memory a fact repeats
// (duplicateOf) from the memories it was shown before the ingest's lock. A memory superseded or archived since, by
// another request or by an earlier fact of the same ingest, is history: merging a fact into it hid the fact (nothing
// active said it). The exact and near checks already skipped inactive memories; the model's pick now does too.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as ingestRoute from '@/app/api/v1/ingest/route';
import * as memoryRoute from '@/app/api/v1/memory/route';
import type { ExtractedFact, Extractor } from '@/lib/memory/ingest/extraction';
import { withAccount } from '@/tests/helpers/fixtures';
import { call } from '@/tests/helpers/http';

const fact = (content: string, extra: Partial<ExtractedFact> = {}): ExtractedFact => ({
  content,
  category: 'personal',
  slot: null,
  entities: [],
  relations: [],
  sourceIndex: 0,
  context: null,
  supersedes: [],
  duplicateOf: null,
  ...extra,
});

const tenant = withAccount();
let offline: Extractor;
beforeAll(() => {
  offline = tenant.app.services.extractor;
});
beforeEach(() => {
  tenant.app.services.extractor = offline;
});
afterAll(() => {
  tenant.app.services.extractor = offline;
});

/** An extractor that stands for the LLM: runs `meanwhile` (what another request does while the model answers), then answers `facts`. */
function scriptedExtractor(facts: (memoryId: string) => ExtractedFact[], memoryId: string, meanwhile: () => Promise<unknown> = async () => undefined): Extractor {
  return {
    kind: 'llm',
    async extract() {
      await meanwhile();
      return { facts: facts(memoryId), usage: { promptTokens: 0, completionTokens: 0 } };
    },
  };
}

async function storeMemory(endUser: string, content: string): Promise<string> {
  const res = await call(memoryRoute.POST, 'POST', '/api/v1/memory', { token: tenant.apiKey, body: { content, external_user_id: endUser } });
  expect(res.status).toBe(201);
  return res.body.memory.id as string;
}

const ingest = (endUser: string, messages: { role: string; content: string }[]) =>
  call(ingestRoute.POST, 'POST', '/api/v1/ingest', { token: tenant.apiKey, body: { userId: endUser, messages } });

const activeWith = async (endUser: string, content: string) =>
  tenant.app.services.db.query<{ id: string }>(
    'select id from memories where account_id = $1 and end_user_id = $2 and content = $3 and archived_at is null and superseded_by is null',
    [tenant.accountId, endUser, content],
  );

describe('ingest: the extraction model’s duplicateOf', () => {
  it('a memory archived between extraction and the write is not merged into: the fact is stored active', async () => {
    const endUser = 'plan-archived';
    const memoryId = await storeMemory(endUser, 'I play the cello in an orchestra');
    // Another request (a prune) archives the memory while the model answers.
    tenant.app.services.extractor = scriptedExtractor((id) => [fact('I play the cello in an orchestra', { duplicateOf: id })], memoryId, () =>
      tenant.app.services.db.query('update memories set archived_at = now() where id = $1', [memoryId]),
    );
    const res = await ingest(endUser, [{ role: 'user', content: 'I play the cello in an orchestra' }]);
    expect(res.status).toBe(200);
    expect(res.body.memories).toHaveLength(1);
    expect(res.body.memories[0]).toMatchObject({ status: 'created' });
    expect(res.body.memories[0].id).not.toBe(memoryId);
    expect(await activeWith(endUser, 'I play the cello in an orchestra')).toEqual([{ id: res.body.memories[0].id }]);
  });

  it('when the named memory is gone from the active ones, an active near duplicate is still found', async () => {
    const endUser = 'plan-near';
    const named = await storeMemory(endUser, 'I volunteer at the animal shelter on Sundays');
    const near = await storeMemory(endUser, 'I volunteer at the animal shelter on Sundays.');
    tenant.app.services.extractor = scriptedExtractor((id) => [fact('I volunteer at the animal shelter on Sundays', { duplicateOf: id })], named, () =>
      tenant.app.services.db.query('update memories set archived_at = now() where id = $1', [named]),
    );
    const res = await ingest(endUser, [{ role: 'user', content: 'I volunteer at the animal shelter on Sundays' }]);
    expect(res.status).toBe(200);
    expect(res.body.memories).toEqual([expect.objectContaining({ id: near, status: 'duplicate' })]);
  });

  it('a memory an earlier fact of the same ingest supersedes is not merged into', async () => {
    const endUser = 'plan-superseded';
    const memoryId = await storeMemory(endUser, 'My favourite food is sushi');
    tenant.app.services.extractor = scriptedExtractor(
      (id) => [fact('My favourite food is ramen now', { supersedes: [id] }), fact('I still order sushi every Friday', { sourceIndex: 0, duplicateOf: id })],
      memoryId,
    );
    const res = await ingest(endUser, [{ role: 'user', content: 'My favourite food is ramen now, but I still order sushi every Friday' }]);
    expect(res.status).toBe(200);
    expect(res.body.memories.map((memory: { status: string; supersedes: string[] }) => [memory.status, memory.supersedes])).toEqual([
      ['created', [memoryId]],
      ['created', []],
    ]);
    expect(await activeWith(endUser, 'I still order sushi every Friday')).toHaveLength(1);
  });

  it('an active memory of the end user is still merged into, as before', async () => {
    const endUser = 'plan-active';
    const memoryId = await storeMemory(endUser, 'I am allergic to peanuts');
    tenant.app.services.extractor = scriptedExtractor((id) => [fact('Allergic to peanuts', { duplicateOf: id })], memoryId);
    const res = await ingest(endUser, [{ role: 'user', content: 'Remember, peanuts and me do not mix' }]);
    expect(res.status).toBe(200);
    expect(res.body.memories).toEqual([expect.objectContaining({ id: memoryId, status: 'duplicate' })]);
    expect(res.body.decisions[0]).toMatchObject({ action: 'merged', memoryId });
  });
});

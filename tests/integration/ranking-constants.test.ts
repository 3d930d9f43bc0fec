import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toVectorLiteral } from '@/lib/db';
import { combinedScore } from '@/lib/memory/records/importance';
import { RANKING } from '@/lib/memory/search/ranking';
import { createTestDatabase, type TestDatabase } from '@/tests/helpers/services';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.stop());

/** A SQL function's parameter defaults by name, as Postgres prints them ('1.2', 'NULL::text', …). */
async function parameterDefaults(signature: string): Promise<Record<string, string>> {
  const rows = await database.db.query<{ name: string; value: string }>(
    `select parameter_name as name, parameter_default as value
     from information_schema.parameters
     where specific_schema = 'public' and parameter_mode = 'IN' and parameter_default is not null
       and specific_name = (select proname || '_' || oid from pg_proc where oid = $1::text::regprocedure)`,
    [signature],
  );
  return Object.fromEntries(rows.map((row) => [row.name, row.value]));
}

const hybridSignature =
  'hybrid_match_memories(uuid, text, text, vector, integer, integer, double precision, double precision, double precision, text, text[], jsonb, double precision, double precision, double precision)';
const bm25Signature = 'bm25_match_memories(uuid, text, text, integer, text, text[], jsonb, double precision, double precision, double precision)';

describe('SQL defaults follow the TypeScript ranking constants (lib/memory/search/ranking.ts)', () => {
  it('hybrid_match_memories', async () => {
    const defaults = await parameterDefaults(hybridSignature);
    expect(Number(defaults.p_candidate_count)).toBe(RANKING.candidateCount);
    expect(Number(defaults.p_vector_weight)).toBe(RANKING.vectorWeight);
    expect(Number(defaults.p_keyword_weight)).toBe(RANKING.keywordWeight);
    expect(Number(defaults.p_k1)).toBe(RANKING.bm25K1);
    expect(Number(defaults.p_b)).toBe(RANKING.bm25B);
    expect(Number(defaults.p_context_weight)).toBe(RANKING.contextWeight);
  });

  it('bm25_match_memories', async () => {
    const defaults = await parameterDefaults(bm25Signature);
    expect(Number(defaults.p_k1)).toBe(RANKING.bm25K1);
    expect(Number(defaults.p_b)).toBe(RANKING.bm25B);
    expect(Number(defaults.p_context_weight)).toBe(RANKING.contextWeight);
  });

  it("match_memories' combined_score is combinedScore (lib/memory/records/importance.ts)", async () => {
    const db = database.db;
    const [account] = await db.query<{ id: string }>("insert into accounts (name) values ('ranking constants') returning id");
    // Importance and a similarity away from 0 and 1, so each weight shows in the score.
    await db.query("insert into memories (account_id, end_user_id, content, embedding, importance) values ($1, 'user', 'x', $2::vector, 0.75)", [
      account!.id,
      toVectorLiteral([1, 0, 0]),
    ]);
    const [row] = await db.query<{ similarity: number; importance: number; combined_score: number }>(
      'select similarity, importance, combined_score from match_memories(p_account_id => $1::uuid, p_end_user_id => $2, p_query_embedding => $3::vector, p_match_threshold => -1)',
      [account!.id, 'user', toVectorLiteral([3, 4, 0])],
    );
    expect(row!.similarity).toBeCloseTo(0.6, 9);
    expect(Math.abs(row!.combined_score - combinedScore(row!.similarity, row!.importance))).toBeLessThan(1e-9);
  });
});

import { describe, expect, it } from 'vitest';
import { parseEnv } from '@/lib/env';
import { checkEmbeddingModel } from '@/lib/services';
import { createTestDatabase, testEmbedder } from '@/tests/helpers/services';

describe('embedding model recorded in the database', () => {
  it('refuses to start with another model once memories exist, naming npm run reembed', async () => {
    const { db, stop } = await createTestDatabase();
    try {
      const local = testEmbedder();
      await checkEmbeddingModel(db, local);
      const other = { id: 'openai:text-embedding-3-small', dimensions: 1536, embed: async () => [] };
      // No memories yet: switching is harmless and simply recorded.
      await checkEmbeddingModel(db, other);
      await checkEmbeddingModel(db, local);
      await db.query("insert into accounts (id) values ('00000000-0000-0000-0000-00000000000a')");
      await db.query("insert into memories (account_id, end_user_id, content, embedding) values ('00000000-0000-0000-0000-00000000000a', 'u', 'x', '[1,2,3]')");
      await expect(checkEmbeddingModel(db, other)).rejects.toThrow(/npm run reembed/);
      await expect(checkEmbeddingModel(db, local)).resolves.toBeUndefined();
      expect(parseEnv({}).EMBEDDING_PROVIDER).toBe('local');
    } finally {
      await stop();
    }
  });
});

// npm run reembed — re-embeds every memory with the configured embedder and records it as the model in use.
// Run it after changing EMBEDDING_PROVIDER / EMBEDDING_MODEL (the server refuses to start until it has run).
// Context vectors (ingested turns blended with the turn before) are cleared: ranking falls back to the new vector.
import { openDatabase, toVectorLiteral } from '@/lib/db';
import { setSetting } from '@/lib/db/settings';
import { createEmbedder } from '@/lib/embeddings';
import { getEnv } from '@/lib/env';

const BATCH = 64;
const env = getEnv();
const db = await openDatabase(env, { poolSize: 2 });
const embedder = createEmbedder(env);
const [{ total }] = (await db.query<{ total: number }>('select count(*)::int as total from memories')) as [{ total: number }];
console.log(`Re-embedding ${total} memories with ${embedder.id} (${embedder.dimensions} dimensions)…`);
let done = 0;
let lastId = '00000000-0000-0000-0000-000000000000';
for (;;) {
  const rows = await db.query<{ id: string; content: string }>('select id, content from memories where id > $1 order by id limit $2', [lastId, BATCH]);
  if (rows.length === 0) break;
  const vectors = await embedder.embed(rows.map((row) => row.content));
  await db.transaction(async (tx) => {
    for (const [i, row] of rows.entries()) await tx.query('update memories set embedding = $2::vector, context_embedding = null where id = $1', [row.id, toVectorLiteral(vectors[i]!)]);
  });
  done += rows.length;
  lastId = rows.at(-1)!.id;
  process.stdout.write(`\r${done}/${total}`);
}
await setSetting(db, 'embedding_model', `${embedder.id}@${embedder.dimensions}`);
console.log(`\nDone: ${done} memories now use ${embedder.id}.`);
await db.close();

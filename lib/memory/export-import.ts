import { z } from 'zod';
import type { Ctx } from '@/lib/api/context';
import { agentScopeOf } from '@/lib/api/scopes';
import { reserveMemories } from '@/lib/billing/quotas';
import { parseVectorLiteral, toVectorLiteral } from '@/lib/db';
import { ApiError } from '@/lib/errors';
import { embedOrFail } from './embed';

const PAGE = 500;

interface ExportRow {
  id: string;
  end_user_id: string;
  agent_id: string | null;
  conversation_id: string | null;
  content: string;
  context: string | null;
  metadata: Record<string, unknown>;
  category: string | null;
  slot: string | null;
  speaker: string | null;
  importance: number;
  base_importance: number;
  access_count: number;
  last_accessed_at: Date | null;
  source: string;
  source_message_ids: string[];
  valid_from: Date;
  valid_to: Date | null;
  superseded_by: string | null;
  archived_at: Date | null;
  created_at: Date;
  updated_at: Date;
  embedding: string | null;
  context_embedding: string | null;
}

const iso = (value: Date | null) => (value ? new Date(value).toISOString() : null);

function toLine(row: ExportRow, embeddingModel: string) {
  return {
    id: row.id,
    external_user_id: row.end_user_id,
    agent_id: row.agent_id,
    conversation_id: row.conversation_id,
    content: row.content,
    context: row.context,
    metadata: row.metadata,
    category: row.category,
    slot: row.slot,
    speaker: row.speaker,
    importance: Number(row.importance),
    base_importance: Number(row.base_importance),
    access_count: row.access_count,
    last_accessed_at: iso(row.last_accessed_at),
    source: row.source,
    source_message_ids: row.source_message_ids,
    valid_from: iso(row.valid_from),
    valid_to: iso(row.valid_to),
    superseded_by: row.superseded_by,
    archived_at: iso(row.archived_at),
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    embedding_model: embeddingModel,
    embedding: row.embedding ? parseVectorLiteral(row.embedding) : null,
    context_embedding: row.context_embedding ? parseVectorLiteral(row.context_embedding) : null,
  };
}

/** GET /v1/export: the account's (or one end user's) memories as JSON Lines, streamed page by page. */
export function exportMemories({ ctx, input }: { ctx: Ctx; input: { external_user_id?: string } }): Response {
  const model = `${ctx.embedder.id}@${ctx.embedder.dimensions}`;
  const encoder = new TextEncoder();
  let cursor: { createdAt: Date; id: string } | null = null;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const rows: ExportRow[] = await ctx.db.query<ExportRow>(
        `select *, embedding::text as embedding, context_embedding::text as context_embedding from memories
         where account_id = $1 and ($2::text is null or end_user_id = $2) and ($3::text is null or agent_id = $3)
           and ($4::timestamptz is null or (created_at, id) > ($4::timestamptz, $5::uuid))
         order by created_at, id limit ${PAGE}`,
        [ctx.account.id, input.external_user_id ?? null, agentScopeOf(ctx.caller) ?? null, cursor?.createdAt ?? null, cursor?.id ?? null],
      );
      if (rows.length === 0) return controller.close();
      controller.enqueue(encoder.encode(rows.map((row) => JSON.stringify(toLine(row, model))).join('\n') + '\n'));
      const last = rows.at(-1)!;
      cursor = { createdAt: new Date(last.created_at), id: last.id };
      if (rows.length < PAGE) controller.close();
    },
  });
  const filename = input.external_user_id ? `memories-${encodeURIComponent(input.external_user_id)}.jsonl` : 'memories.jsonl';
  return new Response(stream, { headers: { 'Content-Type': 'application/x-ndjson; charset=utf-8', 'Content-Disposition': `attachment; filename="${filename}"` } });
}

const Iso = z.iso.datetime({ offset: true });
const ImportLine = z.object({
  id: z.uuid(),
  external_user_id: z.string().trim().min(1).max(255).refine((v) => !v.includes('\u0000')),
  agent_id: z.string().max(255).nullable().default(null),
  conversation_id: z.string().max(255).nullable().default(null),
  content: z.string().min(1).max(1_000_000).refine((v) => v.trim().length > 0 && !v.includes('\u0000')),
  context: z.string().nullable().default(null),
  metadata: z.record(z.string(), z.json()).default({}),
  category: z.string().max(64).nullable().default(null),
  slot: z.string().max(255).nullable().default(null),
  speaker: z.string().max(100).nullable().default(null),
  importance: z.number().min(0).max(1).default(0.5),
  base_importance: z.number().min(0).max(1).default(0.5),
  access_count: z.int().min(0).default(0),
  last_accessed_at: Iso.nullable().default(null),
  source: z.string().max(32).default('import'),
  source_message_ids: z.array(z.string()).default([]),
  valid_from: Iso.nullable().default(null),
  valid_to: Iso.nullable().default(null),
  superseded_by: z.uuid().nullable().default(null),
  archived_at: Iso.nullable().default(null),
  created_at: Iso.nullable().default(null),
  updated_at: Iso.nullable().default(null),
  embedding_model: z.string().nullable().default(null),
  embedding: z.array(z.number()).nullable().default(null),
  /** The vector hybrid search ranks an ingested turn by (own + half the turn before); kept only with its model. */
  context_embedding: z.array(z.number()).nullable().default(null),
});

/**
 * POST /v1/import: JSON Lines from /v1/export back in, exactly (ids, metadata, timestamps). Embeddings made with
 * the model in use are kept; others are re-embedded. Ids that already exist anywhere are skipped, never
 * overwritten. Every line is validated before anything is written; one bad line refuses the whole import.
 */
export async function importMemories({ ctx, input }: { ctx: Ctx; input: { text: string } }) {
  const model = `${ctx.embedder.id}@${ctx.embedder.dimensions}`;
  const lines = input.text.split('\n').map((line) => line.trim()).filter(Boolean);
  const parsed = lines.map((line, index) => {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new ApiError('validation', 'Validation error', { details: [{ type: 'json_invalid', loc: ['body', index + 1], msg: 'Line is not valid JSON' }] });
    }
    const result = ImportLine.safeParse(json);
    if (!result.success) {
      throw new ApiError('validation', 'Validation error', { details: result.error.issues.map((issue) => ({ type: issue.code, loc: ['body', index + 1, ...issue.path.map(String)], msg: issue.message })) });
    }
    return result.data;
  });
  const agent = agentScopeOf(ctx.caller);
  if (agent && parsed.some((line) => line.agent_id !== agent)) throw new ApiError('forbidden', 'API key does not have access to this resource');
  const needEmbedding = parsed.filter((line) => line.embedding_model !== model || !line.embedding || line.embedding.length !== ctx.embedder.dimensions);
  const vectors = await embedOrFail(ctx, needEmbedding.map((line) => line.content));
  const reembedded = new Map(needEmbedding.map((line, i) => [line.id, vectors[i]!]));
  return ctx.db.transaction(async (tx) => {
    await reserveMemories(tx, ctx, parsed.filter((line) => !line.archived_at && !line.superseded_by).length);
    let imported = 0;
    const insertedIds: string[] = [];
    for (const line of parsed) {
      const now = ctx.now().toISOString();
      const rows = await tx.query<{ id: string }>(
        `insert into memories (id, account_id, end_user_id, agent_id, conversation_id, content, context, metadata, category, slot, speaker,
                               importance, base_importance, access_count, last_accessed_at, source, source_message_ids,
                               valid_from, valid_to, archived_at, created_at, updated_at, embedding, context_embedding)
         values ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23::vector, $24::vector)
         on conflict (id) do nothing returning id`,
        [
          line.id, ctx.account.id, line.external_user_id, line.agent_id, line.conversation_id, line.content, line.context, JSON.stringify(line.metadata),
          line.category, line.slot, line.speaker, line.importance, line.base_importance, line.access_count, line.last_accessed_at, line.source,
          line.source_message_ids, line.valid_from ?? line.created_at ?? now, line.valid_to, line.archived_at, line.created_at ?? now, line.updated_at ?? now,
          toVectorLiteral(reembedded.get(line.id) ?? line.embedding!),
          // A re-embedded memory ranks by its own new vector: a context vector of another model would not compare.
          !reembedded.has(line.id) && line.context_embedding?.length === ctx.embedder.dimensions ? toVectorLiteral(line.context_embedding) : null,
        ],
      );
      if (rows.length) {
        imported += 1;
        insertedIds.push(line.id);
      }
    }
    // Supersession links after every row exists, and only between rows this import wrote.
    for (const line of parsed) {
      if (line.superseded_by && insertedIds.includes(line.id)) {
        await tx.query('update memories set superseded_by = $2 where id = $1 and account_id = $3 and exists (select 1 from memories where id = $2 and account_id = $3)', [line.id, line.superseded_by, ctx.account.id]);
      }
    }
    return { status: 'success' as const, lines: parsed.length, imported, skipped: parsed.length - imported, reembedded: needEmbedding.length };
  });
}

import type { Ctx } from '@/lib/core/context';
import { agentScopeOf } from '@/lib/core/access';
import { parseVectorLiteral } from '@/lib/db';
import type { ExportLineT } from '@/lib/schemas/portability';
import { MEMORY_COLUMNS, type MemoryRow } from '@/lib/memory/records/row';
import { GRAPH_PAGES, type Cursor } from './graph-lines';

const PAGE = 500;

interface ExportRow extends MemoryRow {
  slot: string | null;
  speaker: string | null;
  base_importance: number;
  embedding: string | null;
  context_embedding: string | null;
}

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

function toLine(row: ExportRow, embeddingModel: string): ExportLineT {
  return {
    id: row.id,
    external_user_id: row.end_user_id,
    agent_id: row.agent_id,
    conversation_id: row.conversation_id,
    content: row.content,
    context: row.context,
    metadata: row.metadata as ExportLineT['metadata'],
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

/**
 * GET /v1/export: the account's (or one end user's) memories as JSON Lines, streamed page by page, then its entities
 * (with the memories that mention them), edges and chat messages, one line each with its `type` (memory lines have
 * none, as before).
 */
export function exportMemories({ ctx, input }: { ctx: Ctx; input: { external_user_id?: string } }): Response {
  const model = `${ctx.embedder.id}@${ctx.embedder.dimensions}`;
  const encoder = new TextEncoder();
  const scope = { accountId: ctx.account.id, endUserId: input.external_user_id ?? null, agentId: agentScopeOf(ctx.caller) ?? null };
  let cursor: Cursor | null = null;
  // -1: memories; then GRAPH_PAGES in order.
  let phase = -1;
  const memoryPage = async () => {
    const rows: ExportRow[] = await ctx.db.query<ExportRow>(
      `select ${MEMORY_COLUMNS}, m.slot, m.speaker, m.base_importance, m.embedding::text as embedding, m.context_embedding::text as context_embedding
       from memories m
       where m.account_id = $1 and ($2::text is null or m.end_user_id = $2) and ($3::text is null or m.agent_id = $3)
         and ($4::timestamptz is null or (m.created_at, m.id) > ($4::timestamptz, $5::uuid))
       order by m.created_at, m.id limit ${PAGE}`,
      [scope.accountId, scope.endUserId, scope.agentId, cursor?.createdAt ?? null, cursor?.id ?? null],
    );
    const last = rows.at(-1);
    return { lines: rows.map((row) => toLine(row, model)), last: last ? { createdAt: new Date(last.created_at), id: last.id } : null };
  };
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        if (phase >= GRAPH_PAGES.length) return controller.close();
        const page = phase < 0 ? await memoryPage() : await GRAPH_PAGES[phase]!(ctx.db, scope, cursor, PAGE);
        if (page.lines.length < PAGE) {
          phase += 1;
          cursor = null;
        } else {
          cursor = page.last;
        }
        if (page.lines.length > 0) return controller.enqueue(encoder.encode(page.lines.map((line) => JSON.stringify(line)).join('\n') + '\n'));
      }
    },
  });
  const filename = input.external_user_id ? `memories-${encodeURIComponent(input.external_user_id)}.jsonl` : 'memories.jsonl';
  return new Response(stream, { headers: { 'Content-Type': 'application/x-ndjson; charset=utf-8', 'Content-Disposition': `attachment; filename="${filename}"` } });
}

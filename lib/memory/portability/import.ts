import type { Ctx } from '@/lib/core/context';
import { agentScopeOf, forbidden } from '@/lib/core/access';
import { embedOrFail } from '@/lib/embeddings/embed-or-fail';
import { ApiError } from '@/lib/errors';
import { insertMemories } from '@/lib/memory/records/insert';
import { hasMemoryRoom, hasStorageRoom, quotaExceeded, storageExceeded } from '@/lib/metering/quotas';
import { Metadata } from '@/lib/schemas/common';
import { ExportChatMessageLine, ExportEdgeLine, ExportEntityLine, ExportLine, type ExportLineT } from '@/lib/schemas/portability';
import { remapForeignIds } from './foreign-ids';
import { importGraphLines, newChatMessageLines, type GraphLine, type GraphLines } from './graph-lines';

/** A memory's context (the turns around it) in an import; what the service itself writes is far shorter. */
export const IMPORT_CONTEXT_MAX_CHARS = 8_000;

type Issue = { type: string; loc: (string | number)[]; msg: string };

/** The caps POST /v1/memory applies to what a line may store (ExportLine alone only bounds the body). */
function capIssues(line: ExportLineT, lineNumber: number, maxChars: number): Issue[] {
  const issues: Issue[] = [];
  if (line.content.length > maxChars) issues.push({ type: 'too_big', loc: ['body', lineNumber, 'content'], msg: `content exceeds the maximum of ${maxChars} characters` });
  const metadata = Metadata.safeParse(line.metadata);
  if (!metadata.success) issues.push(...metadata.error.issues.map((issue) => ({ type: issue.code, loc: ['body', lineNumber, 'metadata', ...issue.path.map(String)], msg: issue.message })));
  if (line.context !== null && (line.context.length > IMPORT_CONTEXT_MAX_CHARS || line.context.includes('\u0000'))) {
    issues.push({ type: 'too_big', loc: ['body', lineNumber, 'context'], msg: `context must be at most ${IMPORT_CONTEXT_MAX_CHARS} characters, without NUL characters` });
  }
  return issues;
}

/** The schema of a line: by its `type`; a line without one (every line of older exports) is a memory. */
const GRAPH_LINE_SCHEMAS = { entity: ExportEntityLine, edge: ExportEdgeLine, chat_message: ExportChatMessageLine } as const;
const lineTypeOf = (json: unknown) => {
  const type = typeof json === 'object' && json !== null && 'type' in json ? json.type : undefined;
  return typeof type === 'string' && type in GRAPH_LINE_SCHEMAS ? (type as keyof typeof GRAPH_LINE_SCHEMAS) : undefined;
};

function parseLines(text: string, maxChars: number): { memories: ExportLineT[]; graph: GraphLines; lines: number } {
  const lines = text.split('\n').map((line) => line.trim()).filter(Boolean);
  const memories: ExportLineT[] = [];
  const graph: GraphLines = { entities: [], edges: [], chatMessages: [] };
  for (const [index, line] of lines.entries()) {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new ApiError('validation', 'Validation error', { details: [{ type: 'json_invalid', loc: ['body', index + 1], msg: 'Line is not valid JSON' }] });
    }
    const type = lineTypeOf(json);
    const result = (type ? GRAPH_LINE_SCHEMAS[type] : ExportLine).safeParse(json);
    if (!result.success) {
      throw new ApiError('validation', 'Validation error', { details: result.error.issues.map((issue) => ({ type: issue.code, loc: ['body', index + 1, ...issue.path.map(String)], msg: issue.message })) });
    }
    const data = result.data as ExportLineT | GraphLine;
    if (!('type' in data)) {
      const issues = capIssues(data, index + 1, maxChars);
      if (issues.length > 0) throw new ApiError('validation', 'Validation error', { details: issues });
      memories.push(data);
    } else if (data.type === 'entity') graph.entities.push(data);
    else if (data.type === 'edge') graph.edges.push(data);
    else graph.chatMessages.push(data);
  }
  return { memories, graph, lines: lines.length };
}

/**
 * POST /v1/import: JSON Lines from /v1/export back in, exactly (ids, metadata, timestamps), memories first, then entities,
 * edges and chat messages (importGraphLines). Embeddings made with
 * the model in use are kept; others are re-embedded. Ids that already exist in the account are skipped, never
 * overwritten; an id another account holds is replaced (remapped_ids). Every line is validated before anything is
 * written; one bad line refuses the whole import.
 */
export async function importMemories({ ctx, input }: { ctx: Ctx; input: { text: string } }) {
  const model = `${ctx.embedder.id}@${ctx.embedder.dimensions}`;
  const { lines, ...read } = parseLines(input.text, ctx.env.MAX_MEMORY_CHARS);
  // Ids another account holds are replaced before anything looks at them (foreign-ids.ts).
  const { memories: parsed, graph, remapped } = await remapForeignIds(ctx.db, ctx.account.id, read);
  const agent = agentScopeOf(ctx.caller);
  if (agent && [...parsed, ...graph.chatMessages].some((line) => line.agent_id !== agent)) throw forbidden();
  // Ids that already exist in this account are skipped: they are neither embedded nor counted against the plan, so
  // re-importing an export into a full account is not refused. What is left is refused before any embedding work when
  // its active lines cannot fit the plan (a 40,000-line import on a 1,000-memory plan costs a count, not 40,000
  // embeddings); the locked check in insertMemories still decides racing writers.
  const taken = new Set((await ctx.db.query<{ id: string }>('select id from memories where id = any($1::uuid[])', [parsed.map((line) => line.id)])).map((row) => row.id));
  const fresh = parsed.filter((line) => !taken.has(line.id));
  const active = fresh.filter((line) => !line.archived_at).length;
  if (active > 0 && !(await hasMemoryRoom(ctx.db, ctx, active))) throw quotaExceeded(ctx.now(), 'never', 'memories');
  // Storage likewise: every new row, archived and superseded ones too, and the chat messages.
  const storage = await hasStorageRoom(ctx.db, ctx, { memories: fresh, chatMessages: (await newChatMessageLines(ctx.db, graph.chatMessages)).map((line) => line.content) });
  if (!storage.fits) throw storageExceeded(ctx.now(), storage);
  const needEmbedding = fresh.filter((line) => line.embedding_model !== model || !line.embedding || line.embedding.length !== ctx.embedder.dimensions);
  const vectors = await embedOrFail(ctx, needEmbedding.map((line) => line.content));
  const reembedded = new Map(needEmbedding.map((line, i) => [line.id, vectors[i]!]));
  return ctx.db.transaction(async (tx) => {
    const rows = await insertMemories(
      tx,
      ctx,
      fresh.map((line) => ({
        id: line.id,
        endUserId: line.external_user_id,
        agentId: line.agent_id,
        conversationId: line.conversation_id,
        content: line.content,
        context: line.context,
        metadata: line.metadata,
        category: line.category,
        slot: line.slot,
        speaker: line.speaker,
        importance: line.importance,
        baseImportance: line.base_importance,
        accessCount: line.access_count,
        lastAccessedAt: line.last_accessed_at,
        // Only maintenance writes summaries, which the plan does not charge (derived from memories it counts); a line
        // that calls itself one is charged like any other.
        source: line.source === 'summary' ? 'import' : line.source,
        sourceMessageIds: line.source_message_ids,
        validFrom: line.valid_from ?? line.created_at ?? undefined,
        validTo: line.valid_to,
        archivedAt: line.archived_at,
        createdAt: line.created_at ?? undefined,
        updatedAt: line.updated_at ?? undefined,
        embedding: reembedded.get(line.id) ?? line.embedding!,
        // A re-embedded memory ranks by its own new vector: a context vector of another model would not compare.
        contextEmbedding: !reembedded.has(line.id) && line.context_embedding?.length === ctx.embedder.dimensions ? line.context_embedding : null,
      })),
    );
    const inserted = new Set(rows.flatMap((row) => (row ? [row.id] : [])));
    // Supersession links after every row exists, and only between rows this import wrote.
    for (const line of parsed) {
      if (line.superseded_by && inserted.has(line.id)) {
        await tx.query('update memories set superseded_by = $2 where id = $1 and account_id = $3 and exists (select 1 from memories where id = $2 and account_id = $3)', [line.id, line.superseded_by, ctx.account.id]);
      }
    }
    const written = await importGraphLines(tx, ctx, graph, agent ?? null);
    return { status: 'success' as const, lines, imported: inserted.size, skipped: parsed.length - inserted.size, reembedded: needEmbedding.length, ...written, remapped_ids: remapped };
  });
}

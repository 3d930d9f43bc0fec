import { z } from 'zod';
import { JsonValue } from './common';

// JSON Lines of /v1/export and /v1/import: one memory (or entity, edge, chat message) per line, the same shape both ways.

const Iso = z.iso.datetime({ offset: true });
export const ExportLine = z.object({
  id: z.uuid(),
  external_user_id: z.string().trim().min(1).max(255).refine((v) => !v.includes('\u0000')),
  agent_id: z.string().max(255).nullable().default(null),
  conversation_id: z.string().max(255).nullable().default(null),
  content: z.string().min(1).max(1_000_000).refine((v) => v.trim().length > 0 && !v.includes('\u0000')),
  context: z.string().nullable().default(null),
  metadata: z.record(z.string(), JsonValue).default({}),
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

// Besides memory lines (no `type`), an export holds one line per entity, edge and chat message, each with its `type`.
const ExternalUserIdField = ExportLine.shape.external_user_id;
const noNul = (value: string) => !value.includes('\u0000');
export const ExportEntityLine = z.object({
  type: z.literal('entity'),
  id: z.uuid(),
  external_user_id: ExternalUserIdField,
  name: z.string().trim().min(1).max(255).refine(noNul),
  normalized_name: z.string().min(1).max(255).refine(noNul),
  entity_type: z.string().min(1).max(64).refine(noNul).default('thing'),
  /** The memories that mention it (links to memories this account holds are restored). */
  memory_ids: z.array(z.uuid()).max(100_000).default([]),
  created_at: Iso.nullable().default(null),
});
export const ExportEdgeLine = z.object({
  type: z.literal('edge'),
  id: z.uuid(),
  external_user_id: ExternalUserIdField,
  source_entity_id: z.uuid(),
  target_entity_id: z.uuid(),
  relation: z.string().min(1).max(255).refine(noNul),
  memory_id: z.uuid().nullable().default(null),
  created_at: Iso.nullable().default(null),
});
export const ExportChatMessageLine = z.object({
  type: z.literal('chat_message'),
  id: z.uuid(),
  external_user_id: ExternalUserIdField,
  agent_id: z.string().max(255).nullable().default(null),
  conversation_id: z.string().min(1).max(255).refine(noNul),
  role: z.enum(['user', 'assistant', 'system', 'tool']),
  content: z.string().max(32_000).refine(noNul),
  created_at: Iso.nullable().default(null),
});

export const ImportResponse = z.object({
  status: z.literal('success'),
  lines: z.int(),
  imported: z.int().describe('Memory lines written.'),
  skipped: z.int().describe('Memory lines whose id already exists (never overwritten).'),
  reembedded: z.int().describe('Lines embedded again because their vector came from another model.'),
  entities: z.int().describe('Entity lines written (an entity the end user already has by name is linked, not duplicated).'),
  edges: z.int().describe('Edge lines written.'),
  chat_messages: z.int().describe('Chat message lines written.'),
  remapped_ids: z
    .record(z.string(), z.string())
    .describe('Line ids that were taken outside your account, each with the id its row got instead (references in the file follow).'),
});

export type ExportLineT = z.infer<typeof ExportLine>;
export type ExportEntityLineT = z.infer<typeof ExportEntityLine>;
export type ExportEdgeLineT = z.infer<typeof ExportEdgeLine>;
export type ExportChatMessageLineT = z.infer<typeof ExportChatMessageLine>;

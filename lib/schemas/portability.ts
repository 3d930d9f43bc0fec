import { z } from 'zod';
import { JsonValue } from './common';

// JSON Lines of /v1/export and /v1/import: one memory per line, the same shape both ways.

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

export const ImportResponse = z.object({
  status: z.literal('success'),
  lines: z.int(),
  imported: z.int(),
  skipped: z.int().describe('Lines whose id already exists (never overwritten).'),
  reembedded: z.int().describe('Lines embedded again because their vector came from another model.'),
});

export type ExportLineT = z.infer<typeof ExportLine>;

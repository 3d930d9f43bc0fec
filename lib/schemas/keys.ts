import { z } from 'zod';
import { text } from './common';

export const CreateKeyBody = z.object({
  name: text('name', 100)
    .refine((value) => value.trim().length > 0, 'name must not be empty')
    .transform((value) => value.trim())
    .describe('A human-readable name, e.g. "Production".'),
  scopes: z
    .array(z.enum(['read', 'write']))
    .min(1)
    .optional()
    .describe('Limit the key: ["read"] cannot store or delete. Omitted = full access.'),
  agent_id: text('agent_id', 255).optional().describe('Limit the key to one agentId.'),
});

export const KeyIdParams = z.object({ key_id: text('key_id', 64).refine((value) => value.length > 0, 'key_id must not be empty') });

export const ApiKeyView = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  last_four: z.string(),
  masked_key: z.string(),
  scopes: z.array(z.string()),
  is_active: z.boolean(),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});

export const CreateKeyResponse = ApiKeyView.extend({ api_key: z.string().describe('The full key. Shown only once.') });
export const ListKeysResponse = z.object({ keys: z.array(ApiKeyView) });
export const RevokeKeyResponse = z.object({ status: z.literal('success'), key: ApiKeyView });

export type ApiKeyViewT = z.infer<typeof ApiKeyView>;

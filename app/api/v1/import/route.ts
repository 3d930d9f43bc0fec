// POST /api/v1/import – JSON Lines from /v1/export back in (ids, metadata, timestamps kept; other models re-embedded)
import { route } from '@/lib/api/route';
import { ApiError } from '@/lib/errors';
import { importMemories } from '@/lib/memory/export-import';

/** Imports may be larger than ordinary requests. */
const MAX_IMPORT_BYTES = 50 * 1024 * 1024;

export const POST = route({ auth: 'apiKey' }, async ({ ctx, request }) => {
  if (Number(request.headers.get('content-length') ?? 0) > MAX_IMPORT_BYTES) throw new ApiError('payload_too_large', `Import exceeds ${MAX_IMPORT_BYTES} bytes; split it into several files`);
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_IMPORT_BYTES) throw new ApiError('payload_too_large', `Import exceeds ${MAX_IMPORT_BYTES} bytes; split it into several files`);
  return importMemories({ ctx, input: { text } });
});

import type { Services } from '@/lib/services';
import { ApiError } from '@/lib/errors';
import { EmbeddingUnavailableError, type EmbedOptions } from './types';

/**
 * Embeds texts; a provider failure is a 502 that names the cause class, an embedder that cannot serve (its model
 * not loaded) a 503 with its public message (the full one, which may name server paths, goes to the log with the
 * 5xx), never a half-stored memory.
 */
export async function embedOrFail(services: Pick<Services, 'embedder'>, texts: string[], options?: EmbedOptions): Promise<number[][]> {
  try {
    return await services.embedder.embed(texts, options);
  } catch (error) {
    if (EmbeddingUnavailableError.is(error)) throw new ApiError('unavailable', error.publicMessage ?? error.message, { cause: error, headers: { 'Retry-After': '30' } });
    throw new ApiError('bad_gateway', 'The embedding provider failed. Nothing was stored; please retry.', { cause: error });
  }
}

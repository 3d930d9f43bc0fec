import type { Services } from '@/lib/services';
import { ApiError } from '@/lib/errors';

/** Embeds texts; a provider failure is a 502 that names the cause class, never a half-stored memory. */
export async function embedOrFail(services: Pick<Services, 'embedder'>, texts: string[]): Promise<number[][]> {
  try {
    return await services.embedder.embed(texts);
  } catch (error) {
    throw new ApiError('bad_gateway', 'The embedding provider failed. Nothing was stored; please retry.', { cause: error });
  }
}

export { MemoryLayer, ChatStream, SDK_VERSION } from './client.js';
export type { MemoryLayerOptions, RememberInput, RecallInput, ChatInput, IngestInput, ContextInput, ForgetInput, Message, Metadata, UsedMemory } from './client.js';
export {
  MemoryLayerError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  ValidationError,
  RateLimitError,
  InternalServerError,
  APIConnectionError,
  APITimeoutError,
  errorFromResponse,
  parseRetryAfter,
} from './errors.js';
export type { MemoryLayerErrorCode, ValidationDetail } from './errors.js';
export { createRetryingFetch, isIdempotent, backoffDelayMs } from './retry.js';
export type { RetryOptions } from './retry.js';
/** The generated layer: one class over every operation, and every request and response type. */
export { MemoryLayerApi } from './generated/sdk.gen.js';
export type * from './generated/types.gen.js';

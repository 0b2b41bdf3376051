/**
 * The one place where ioredis failures become `SdrError`s: a connection that is down, closed or
 * timing out is `ProviderUnavailableError` (retryable); an error reply from Redis is a
 * non-retryable `ProviderError`.
 */
import { ProviderError, ProviderUnavailableError, SdrError } from '@sdr/core';

export const redisProvider = 'redis';

export function toSdrError(error: unknown, operation: string): SdrError {
  if (SdrError.isInstance(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  const name = error instanceof Error ? error.name : '';
  if (name === 'ReplyError') {
    return new ProviderError({ provider: redisProvider, operation, message, retryable: false, cause: error });
  }
  return new ProviderUnavailableError({ provider: redisProvider, operation, message, cause: error });
}

/** Runs a Redis call, mapping its failure. */
export async function redisCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toSdrError(error, operation);
  }
}

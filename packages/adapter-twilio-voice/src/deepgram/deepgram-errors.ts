/**
 * The one place where Deepgram's failures become `SdrError`s: a refused WebSocket upgrade (HTTP
 * status), a socket error before the upgrade, and an unexpected close of an open stream. The API
 * key is never part of an error.
 */
import { AuthError, ProviderError, ProviderUnavailableError, RateLimitedError, type SdrError } from '@sdr/core';

const provider = 'deepgram';

/** Deepgram answered the upgrade request with an HTTP status instead of switching protocols. */
export function deepgramUpgradeError(operation: string, status: number, statusText: string, requestId?: string): SdrError {
  if (status === 401 || status === 403) {
    return new AuthError(`deepgram ${operation} refused the API key (HTTP ${status} ${statusText})`.trim(), { provider });
  }
  if (status === 429) return new RateLimitedError(`deepgram ${operation} is rate limited (HTTP 429)`, { provider });
  return new ProviderError({
    provider,
    operation,
    status,
    message: `the WebSocket upgrade was answered with HTTP ${status} ${statusText}`.trim(),
    requestId,
  });
}

/** The socket failed before it opened (DNS, refused connection, TLS, handshake timeout). */
export function deepgramConnectError(operation: string, cause: unknown): SdrError {
  const message = cause instanceof Error ? cause.message : String(cause);
  return new ProviderUnavailableError({ provider, operation, message, cause });
}

/**
 * Deepgram closed an open stream we did not ask to close. 1008 means it could not decode the
 * audio (not worth retrying as is); 1011 is its timeout (no audio nor KeepAlive for 10 s, "NET-0001")
 * or an internal error: retryable.
 */
export function deepgramCloseError(operation: string, code: number, reason: string): SdrError {
  const message = `the stream was closed by Deepgram (code ${code}${reason ? `: ${reason}` : ''})`;
  if (code === 1008) return new ProviderError({ provider, operation, message, retryable: false });
  return new ProviderUnavailableError({ provider, operation, message });
}

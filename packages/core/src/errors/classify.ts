import { maskPersonalData } from './redact.js';
import { RateLimitedError } from './errors.js';
import { SdrError, type SdrErrorCode } from './sdr-error.js';

/** How a failure should be treated by whoever retries operations. */
export interface ErrorClassification {
  /** `true`: trying again later may succeed. `false`: it will fail the same way. */
  readonly transient: boolean;
  readonly code: SdrErrorCode | 'network' | 'unknown';
  /** A delay the provider asked for (Retry-After), when it gave one. */
  readonly retryAfterMs?: number;
  /** The message with personal data masked: safe to store and log. */
  readonly message: string;
}

const transientNetworkCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/**
 * Classifies any thrown value. `SdrError`s carry their own `retryable` flag. Foreign errors are
 * network failures, timeouts or bugs in an adapter that did not map its errors; all of them are
 * treated as transient so that no message is lost to a glitch — the caller's maximum number of
 * attempts bounds the cost when it really was a bug.
 */
export function classifyError(error: unknown): ErrorClassification {
  if (SdrError.isInstance(error)) {
    const retryAfterMs = RateLimitedError.isInstance(error) ? error.retryAfterMs : undefined;
    return {
      transient: error.retryable,
      code: error.code,
      message: maskPersonalData(error.message),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  }
  const message = maskPersonalData(error instanceof Error ? error.message : String(error));
  const name = error instanceof Error ? error.name : '';
  // Node's fetch (undici) throws `TypeError: fetch failed` and puts the socket error, with its
  // code, in `cause`: look one level down as well.
  const cause = typeof error === 'object' && error !== null ? (error as { cause?: unknown }).cause : undefined;
  const isNetwork = hasNetworkCode(error) || hasNetworkCode(cause) || name === 'AbortError' || name === 'TimeoutError';
  return { transient: true, code: isNetwork ? 'network' : 'unknown', message };
}

function hasNetworkCode(value: unknown): boolean {
  const code = typeof value === 'object' && value !== null ? (value as { code?: unknown }).code : undefined;
  return typeof code === 'string' && isNetworkErrorCode(code);
}

/**
 * Whether `code` (a Node system error code such as `ECONNREFUSED`, or undici's `UND_ERR_*`)
 * means the network failed — the one list every adapter maps to "unavailable, try again".
 */
export function isNetworkErrorCode(code: string): boolean {
  return transientNetworkCodes.has(code);
}

/** Shorthand: may this failure succeed when tried again? */
export function isTransientError(error: unknown): boolean {
  return classifyError(error).transient;
}

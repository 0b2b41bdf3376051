/**
 * Start-up failures told as the configuration errors are: one line naming the variable and the
 * reason (`REDIS_URL: cannot connect to Redis at host:6379: connection refused (ECONNREFUSED)`),
 * never the password of a URL. The reason is read from the error and its causes: a system error
 * code, or a PostgreSQL SQLSTATE with the server's own message.
 */
import { SdrError } from '@sdr/core';

const systemReasons: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available on this machine',
  EACCES: 'permission denied',
};

/** The error and its causes, outermost first (at most 10: a cycle of causes ends there). */
function causesOf(error: unknown): readonly unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current !== undefined && chain.length < 10; current = (current as { cause?: unknown }).cause) {
    chain.push(current);
    if (typeof current !== 'object' || current === null) break;
  }
  return chain;
}

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/** The first error code (system or SQLSTATE) in the error and its causes. */
export function errorCodeOf(error: unknown): string | undefined {
  for (const cause of causesOf(error)) {
    const code = codeOf(cause);
    if (code !== undefined) return code;
  }
  return undefined;
}

/** Why a connection or a listen failed, in a few words and the code: `connection refused (ECONNREFUSED)`. */
export function startupReason(error: unknown): string {
  const chain = causesOf(error);
  for (const cause of chain) {
    const code = codeOf(cause);
    if (code === undefined) continue;
    const known = systemReasons[code];
    if (known !== undefined) return `${known} (${code})`;
    // A PostgreSQL error: five characters of SQLSTATE, and the server's message says what it means.
    if (/^[0-9A-Z]{5}$/.test(code) && cause instanceof Error) return `${cause.message} (SQLSTATE ${code})`;
  }
  const innermost = chain[chain.length - 1];
  return innermost instanceof Error ? innermost.message : String(innermost);
}

/** `host:port` of a connection URL, without user or password. */
export function endpointOf(url: string): string {
  const parsed = new URL(url);
  return parsed.host;
}

/** The `SdrError` of a start-up failure: `variable: what failed: why`, with `secret` (a URL's password) masked. */
export function startupError(input: {
  readonly variable: string;
  readonly failed: string;
  readonly cause: unknown;
  readonly secret?: string;
}): SdrError {
  let message = `${input.variable}: ${input.failed}: ${startupReason(input.cause)}`;
  if (input.secret) message = message.split(input.secret).join('***');
  return new SdrError(message, 'internal', { cause: input.cause });
}

/** The password of a connection URL (decoded), or `undefined`. */
export function passwordOf(url: string): string | undefined {
  const password = new URL(url).password;
  return password === '' ? undefined : decodeURIComponent(password);
}

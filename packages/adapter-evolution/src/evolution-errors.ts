/**
 * The one place where Evolution's failures become `SdrError`s.
 *
 * A request first becomes an `EvolutionFailure` (what happened on the wire); `toEvolutionError`
 * then maps it, purely and without ever throwing:
 *
 * | failure                                   | error                                                   |
 * | ----------------------------------------- | ------------------------------------------------------- |
 * | 400 with `exists: false`                  | `RecipientUnreachableError` (permanent)                 |
 * | other 400, other 4xx                      | `ProviderError`, not retryable                          |
 * | 401, 403                                  | `AuthError`                                             |
 * | 404                                       | `ProviderError`, not retryable, naming the instance     |
 * | 429                                       | `RateLimitedError` with the Retry-After, when given     |
 * | 408, 425, 5xx, a 2xx with a malformed body | `ProviderError`, retryable                              |
 * | timeout, network failure                  | `ProviderUnavailableError` (retryable)                  |
 *
 * Nothing of the request enters an error: no API key, no phone number, no message text. The
 * vendor's message is kept as a short summary with the caller's `secrets` scrubbed out and
 * personal data masked; the body itself is not attached (Evolution echoes numbers and headers).
 */
import {
  AuthError,
  ProviderError,
  ProviderUnavailableError,
  RateLimitedError,
  RecipientUnreachableError,
  maskPersonalData,
  type SdrError,
} from '@sdr/core';
import { evolutionErrorBodySchema, evolutionNotOnWhatsAppSchema } from './evolution-api.js';

/** The `provider` name of every error and port of this package. */
export const evolutionProvider = 'evolution';

/** What went wrong with one request to Evolution, before it becomes an `SdrError`. */
export type EvolutionFailure =
  /** Evolution answered with an error status; `body` is the parsed JSON, or the text when it was not JSON. */
  | { readonly kind: 'http'; readonly status: number; readonly body: unknown; readonly retryAfter: string | null }
  /** Evolution answered 2xx with a body that is not what the operation returns. */
  | { readonly kind: 'malformed'; readonly status: number; readonly issue: string }
  /** The answer was larger than the caller allows (media). */
  | { readonly kind: 'too_large'; readonly limitBytes: number }
  /** No answer within the client timeout. The request may have been carried out. */
  | { readonly kind: 'timeout'; readonly timeoutMs: number }
  /**
   * The connection failed. `maybeDelivered` is false only when the request cannot have reached
   * Evolution (refused, unknown host); a reset after the request was written may hide a success.
   */
  | { readonly kind: 'network'; readonly code: string | undefined; readonly maybeDelivered: boolean };

/** Context of a failed request, for the error's message. */
export interface EvolutionErrorContext {
  /** The operation (`sendText`, `whatsappNumbers`, …). */
  readonly operation: string;
  /** The Evolution instance the request addressed. */
  readonly instance: string;
  /** Now, to read a Retry-After given as a date. */
  readonly now: Date;
  /** Values that must not appear in the error even when Evolution echoes them (text, number, key). */
  readonly secrets?: readonly string[];
}

const maxSummaryLength = 200;

/** Network error codes that prove the request never reached the server. */
const notDeliveredCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** Whether a network failure with this code may have happened after Evolution received the request. */
export function networkFailure(code: string | undefined): EvolutionFailure {
  return { kind: 'network', code, maybeDelivered: code === undefined || !notDeliveredCodes.has(code) };
}

/** True when Evolution's 400 body says the number is not on WhatsApp (`exists: false`). */
export function isNotOnWhatsApp(body: unknown): boolean {
  const parsed = evolutionErrorBodySchema.safeParse(body);
  if (!parsed.success) return false;
  const messages = parsed.data.response?.message ?? parsed.data.message;
  const list = Array.isArray(messages) ? messages : [messages];
  return list.some((entry) => evolutionNotOnWhatsAppSchema.safeParse(entry).success);
}

/** Maps a failure to the `SdrError` to throw. Pure; never throws. */
export function toEvolutionError(failure: EvolutionFailure, context: EvolutionErrorContext): SdrError {
  const { operation, instance } = context;
  const base = { provider: evolutionProvider, operation, details: { instance } };
  switch (failure.kind) {
    case 'timeout':
      return new ProviderUnavailableError({ ...base, message: `no answer within ${failure.timeoutMs} ms` });
    case 'network':
      return new ProviderUnavailableError({ ...base, message: `network failure${failure.code ? ` (${failure.code})` : ''}` });
    case 'too_large':
      return new ProviderError({
        ...base,
        message: `the answer is larger than the limit of ${failure.limitBytes} bytes`,
        retryable: false,
      });
    case 'malformed':
      return new ProviderError({
        ...base,
        status: failure.status,
        message: `answered ${failure.status} with an unexpected body (${failure.issue})`,
        retryable: true,
      });
    case 'http':
      return httpError(failure, context);
  }
}

function httpError(failure: Extract<EvolutionFailure, { kind: 'http' }>, context: EvolutionErrorContext): SdrError {
  const { operation, instance } = context;
  const { status } = failure;
  const summary = summarise(failure.body, context.secrets ?? []);
  const base = { provider: evolutionProvider, operation, status, details: { instance, status } };
  if (status === 400 && isNotOnWhatsApp(failure.body)) {
    return new RecipientUnreachableError({
      channel: 'whatsapp',
      provider: evolutionProvider,
      message: `the recipient is not on WhatsApp (Evolution ${operation} answered exists: false)`,
      details: { instance },
    });
  }
  if (status === 401 || status === 403) {
    return new AuthError(`Evolution refused the API key for instance "${instance}" (${status})${summary ? `: ${summary}` : ''}`, {
      provider: evolutionProvider,
      details: { instance, status },
    });
  }
  if (status === 404) {
    return new ProviderError({
      ...base,
      message: `instance "${instance}" does not exist on the Evolution server, or the route is unknown (404)${summary ? `: ${summary}` : ''}`,
      retryable: false,
    });
  }
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(failure.retryAfter, context.now);
    return new RateLimitedError(`Evolution ${operation} was rate limited (429)`, {
      provider: evolutionProvider,
      retryAfterMs,
      details: { instance },
    });
  }
  return new ProviderError({ ...base, message: `${status}${summary ? `: ${summary}` : ''}` });
}

/** Reads a Retry-After header: delta-seconds or an HTTP date. Undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: Date): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

/** A short, scrubbed summary of Evolution's error message (empty when it gave none). */
function summarise(body: unknown, secrets: readonly string[]): string {
  const parsed = evolutionErrorBodySchema.safeParse(body);
  const parts: string[] = [];
  if (parsed.success) {
    const messages = parsed.data.response?.message ?? parsed.data.message;
    for (const entry of Array.isArray(messages) ? messages : [messages]) {
      if (typeof entry === 'string') parts.push(entry);
    }
    if (parts.length === 0 && parsed.data.error) parts.push(parsed.data.error);
  } else if (typeof body === 'string') {
    parts.push(body);
  }
  let summary = parts.join('; ');
  for (const secret of secrets) {
    if (secret.length >= 3) summary = summary.split(secret).join('[redacted]');
  }
  summary = maskPersonalData(summary.replace(/\s+/g, ' ').trim());
  return summary.length > maxSummaryLength ? `${summary.slice(0, maxSummaryLength)}…` : summary;
}

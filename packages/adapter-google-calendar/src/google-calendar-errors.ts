/**
 * The one place where Google Calendar's failures become `SdrError`s, and the adapter's one retry
 * policy (the generated client's own retries are turned off).
 *
 * A request first becomes a `GoogleCalendarFailure` (what happened on the wire);
 * `toGoogleCalendarError` maps it, purely and without ever throwing:
 *
 * | failure                                                    | error                                     |
 * | ---------------------------------------------------------- | ----------------------------------------- |
 * | 400, 412, other 4xx                                        | `ProviderError`, not retryable            |
 * | 401, 403 other than a rate limit, token endpoint refusals  | `AuthError`                               |
 * | 403 `rateLimitExceeded` / `userRateLimitExceeded` / `quotaExceeded`, 429 | `RateLimitedError` with the Retry-After |
 * | 404, 410                                                   | `NotFoundError` (operations that treat them as success check first) |
 * | 409                                                        | `DuplicateError`                          |
 * | 408, 5xx, a 2xx with a malformed body                      | `ProviderError`, retryable                |
 * | timeout, network failure                                   | `ProviderUnavailableError` (retryable)    |
 *
 * Nothing of the request enters an error: no token, no attendee, no event text. Google's message
 * is kept as a short summary with personal data masked and the caller's `secrets` scrubbed out.
 */
import {
  AuthError,
  DuplicateError,
  NotFoundError,
  ProviderError,
  ProviderUnavailableError,
  RateLimitedError,
  maskPersonalData,
  type RetryPolicy,
  type SdrError,
} from '@sdr/core';
import { googleErrorBodySchema } from './google-calendar-api.js';

/** The `provider` name of every error and port of this package. */
export const googleCalendarProvider = 'google-calendar';

/** What went wrong with one request to Google, before it becomes an `SdrError`. */
export type GoogleCalendarFailure =
  /** Google answered with an error status; `body` is the parsed JSON, or the text when it was not JSON. */
  | { readonly kind: 'http'; readonly status: number; readonly body: unknown; readonly retryAfter: string | null }
  /** Google answered 2xx with a body that is not what the operation returns. */
  | { readonly kind: 'malformed'; readonly status: number; readonly issue: string }
  /** No answer within the client timeout. The request may have been carried out. */
  | { readonly kind: 'timeout'; readonly timeoutMs: number }
  /** The connection failed. */
  | { readonly kind: 'network'; readonly code: string | undefined };

/** Context of a failed request, for the error's message. */
export interface GoogleCalendarErrorContext {
  /** The port operation (`createEvent`, `freeBusy`, `token`, …). */
  readonly operation: string;
  /** Now, to read a Retry-After given as a date. */
  readonly now: Date;
  /** What a 404/410 is about (`calendar event <id>`), for the `NotFoundError`. */
  readonly resource?: { readonly kind: string; readonly id: string };
  /** Values that must not appear in the error even when Google echoes them (tokens, keys). */
  readonly secrets?: readonly string[];
}

/** The `reason`s of a 403 that mean "slow down", not "forbidden". */
export const googleRateLimitReasons: ReadonlySet<string> = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'quotaExceeded']);

/** Insert, patch and free/busy retried on rate limits, 5xx and timeouts: 4 attempts, 0.5 s doubling, at most 8 s (a Retry-After may be longer). */
export const defaultGoogleCalendarRetryPolicy: RetryPolicy = Object.freeze({
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  factor: 2,
});

const maxSummaryLength = 200;

/** The `reason`s Google gave in an error body. */
export function googleErrorReasons(body: unknown): string[] {
  const parsed = googleErrorBodySchema.safeParse(body);
  if (!parsed.success) return [];
  const { error } = parsed.data;
  if (typeof error === 'string') return [error];
  return (error.errors ?? []).flatMap((entry) => (entry.reason ? [entry.reason] : []));
}

/** Maps a failure to the `SdrError` to throw. Pure; never throws. */
export function toGoogleCalendarError(failure: GoogleCalendarFailure, context: GoogleCalendarErrorContext): SdrError {
  const { operation } = context;
  const base = { provider: googleCalendarProvider, operation };
  switch (failure.kind) {
    case 'timeout':
      return new ProviderUnavailableError({ ...base, message: `no answer within ${failure.timeoutMs} ms` });
    case 'network':
      return new ProviderUnavailableError({ ...base, message: `network failure${failure.code ? ` (${failure.code})` : ''}` });
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

function httpError(failure: Extract<GoogleCalendarFailure, { kind: 'http' }>, context: GoogleCalendarErrorContext): SdrError {
  const { operation } = context;
  const { status } = failure;
  const reasons = googleErrorReasons(failure.body);
  const summary = summarise(failure.body, context.secrets ?? []);
  const described = `${status}${reasons.length > 0 ? ` ${reasons.join(', ')}` : ''}${summary ? `: ${summary}` : ''}`;
  const base = { provider: googleCalendarProvider, operation, status, details: { status, reasons } };
  if (status === 429 || (status === 403 && reasons.some((reason) => googleRateLimitReasons.has(reason)))) {
    return new RateLimitedError(`Google Calendar ${operation} was rate limited (${described})`, {
      provider: googleCalendarProvider,
      retryAfterMs: parseRetryAfter(failure.retryAfter, context.now),
      details: { status, reasons },
    });
  }
  if (status === 401 || status === 403 || (operation === 'token' && status >= 400 && status < 500)) {
    return new AuthError(`Google refused the credentials for ${operation} (${described})`, {
      provider: googleCalendarProvider,
      details: { status, reasons },
    });
  }
  if ((status === 404 || status === 410) && context.resource) {
    return new NotFoundError(context.resource.kind, context.resource.id, { details: { status } });
  }
  if (status === 409 && context.resource) return new DuplicateError(context.resource.kind, context.resource.id, { details: { status } });
  if (status === 408 || status >= 500) return new ProviderError({ ...base, message: described, retryable: true });
  return new ProviderError({ ...base, message: described, retryable: false });
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

/** A short, scrubbed summary of Google's error message (empty when it gave none). */
function summarise(body: unknown, secrets: readonly string[]): string {
  const parsed = googleErrorBodySchema.safeParse(body);
  let summary = '';
  if (parsed.success) {
    const { error } = parsed.data;
    summary = typeof error === 'string' ? (parsed.data.error_description ?? '') : (error.message ?? '');
  } else if (typeof body === 'string' && !body.trimStart().startsWith('<')) {
    summary = body;
  }
  for (const secret of secrets) {
    if (secret.length >= 3) summary = summary.split(secret).join('[redacted]');
  }
  // Bearer tokens and JWTs are never meant to be echoed, but a proxy might: drop anything token-shaped.
  summary = summary.replace(/\b(ya29\.[\w.-]+|eyJ[\w-]+\.[\w-]+\.[\w-]*|1\/\/[\w-]+)/g, '[redacted]');
  summary = maskPersonalData(summary.replace(/\s+/g, ' ').trim());
  return summary.length > maxSummaryLength ? `${summary.slice(0, maxSummaryLength)}…` : summary;
}

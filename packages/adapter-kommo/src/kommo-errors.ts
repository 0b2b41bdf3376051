/**
 * The one place where Kommo's failures become `SdrError`s.
 *
 * A request first becomes a `KommoFailure` (what happened on the wire); `toKommoError` maps it,
 * purely and without ever throwing:
 *
 * | failure                                  | error                                                          |
 * | ---------------------------------------- | -------------------------------------------------------------- |
 * | 400 with `validation-errors`             | `ValidationError`, one field error per path (`NotFound` on an id ⇒ `NotFoundError`) |
 * | other 400, 404, other 4xx                | `ProviderError`, not retryable                                 |
 * | 401 (after the one refresh)              | `AuthError`                                                    |
 * | 402 (the account is not paid)            | `ProviderUnavailableError` with that reason (retryable: nothing is lost meanwhile) |
 * | 403 without a JSON body                  | `ProviderError` 403 with no body: a suspected block — stop and alert |
 * | 403 with a JSON body                     | `ProviderError` 403, not retryable (a permission)              |
 * | 429 (body may not be JSON)               | `RateLimitedError`, at least 1 s                               |
 * | 5xx, 408, a 2xx with a malformed body    | `ProviderError`, retryable                                     |
 * | timeout, network failure                 | `ProviderUnavailableError` (retryable)                         |
 *
 * No token, no phone number and no note text enters an error: the vendor's words are summarised
 * with the caller's `secrets` scrubbed out and personal data masked.
 */
import {
  AuthError,
  NotFoundError,
  ProviderError,
  ProviderUnavailableError,
  RateLimitedError,
  ValidationError,
  maskPersonalData,
  type FieldError,
  type SdrError,
} from '@sdr/core';
import { kommoErrorBodySchema, type KommoErrorBody } from './kommo-api.js';

/** The `provider` name of every error and port of this package. */
export const kommoProvider = 'kommo';

/** Kommo gives no Retry-After on a 429: wait at least one second, the width of its window. */
export const minimumRateLimitWaitMs = 1000;

/** What went wrong with one request to Kommo, before it becomes an `SdrError`. */
export type KommoFailure =
  /** Kommo answered with an error status; `body` is the parsed JSON, or the text when it was not JSON (`undefined` when empty). */
  | {
      readonly kind: 'http';
      readonly status: number;
      readonly body: unknown;
      readonly retryAfter: string | null;
      readonly requestId: string | null;
    }
  /** Kommo answered 2xx with a body that is not what the operation returns. */
  | { readonly kind: 'malformed'; readonly status: number; readonly issue: string }
  /** No answer within the client timeout. The request may have been carried out. */
  | { readonly kind: 'timeout'; readonly timeoutMs: number }
  /** The connection failed (`code` from the socket, when known). The request may have been carried out. */
  | { readonly kind: 'network'; readonly code: string | undefined };

/** Context of a failed request, for the error's message. */
export interface KommoErrorContext {
  /** The operation (`leads.update`, `contacts.search`, …). */
  readonly operation: string;
  /** The Kommo account (subdomain). */
  readonly account: string;
  /** Now, to read a Retry-After given as a date. */
  readonly now: Date;
  /** Values that must not appear in the error even if Kommo echoes them (tokens, phones). */
  readonly secrets?: readonly string[];
  /** Maps a validation error's path (`0.status_id`) to the caller's field (`patches.0.stage`). */
  readonly fieldOf?: (path: string) => string;
}

const maxSummaryLength = 200;

/** Maps a failure to the `SdrError` to throw. Pure; never throws. */
export function toKommoError(failure: KommoFailure, context: KommoErrorContext): SdrError {
  const base = { provider: kommoProvider, operation: context.operation, details: { account: context.account } };
  switch (failure.kind) {
    case 'timeout':
      return new ProviderUnavailableError({ ...base, message: `no answer within ${failure.timeoutMs} ms` });
    case 'network':
      return new ProviderUnavailableError({ ...base, message: `network failure${failure.code === undefined ? '' : ` (${failure.code})`}` });
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

function httpError(failure: Extract<KommoFailure, { kind: 'http' }>, context: KommoErrorContext): SdrError {
  const { status } = failure;
  const { operation, account } = context;
  const parsed = kommoErrorBodySchema.safeParse(failure.body);
  const problem = parsed.success && typeof failure.body === 'object' ? parsed.data : undefined;
  const summary = summarise(problem, failure.body, context.secrets ?? []);
  const requestId = failure.requestId ?? undefined;
  const base = { provider: kommoProvider, operation, status, requestId, details: { account, status } };
  const suffix = summary === '' ? '' : `: ${summary}`;
  switch (status) {
    case 400: {
      const validation = validationError(problem, context);
      if (validation !== undefined) return validation;
      return new ProviderError({ ...base, message: `400${suffix}`, retryable: false, body: problem });
    }
    case 401:
      return new AuthError(`Kommo refused the token of account ${account} (401)${suffix}`, {
        provider: kommoProvider,
        details: { account },
      });
    case 402:
      return new ProviderUnavailableError({
        ...base,
        message: `the Kommo account ${account} is not paid (402): requests resume once it is`,
        details: { account, status, reason: 'account_unpaid' },
      });
    case 403:
      // No JSON detail: Kommo blocked the account or the IP for its request pattern. No body on
      // the error is what tells the sync to stop and alert (core's `isSuspectedBlock`).
      if (problem === undefined) {
        return new ProviderError({
          ...base,
          message: `the Kommo account ${account} answered 403 without detail: suspected block, stop calling it`,
          retryable: false,
        });
      }
      return new ProviderError({ ...base, message: `403${suffix}`, retryable: false, body: problem });
    case 429:
      return new RateLimitedError(`Kommo ${operation} was rate limited (429)`, {
        provider: kommoProvider,
        retryAfterMs: Math.max(minimumRateLimitWaitMs, parseRetryAfter(failure.retryAfter, context.now) ?? 0),
        details: { account },
      });
    default:
      return new ProviderError({ ...base, message: `${status}${suffix}`, ...(problem === undefined ? {} : { body: problem }) });
  }
}

/**
 * A 400 that lists `validation-errors` ⇒ a `ValidationError` naming each path; one whose every
 * error is a `NotFound` of an entity id ⇒ `NotFoundError` (a lead deleted in Kommo).
 */
function validationError(problem: KommoErrorBody | undefined, context: KommoErrorContext): SdrError | undefined {
  const groups = problem?.['validation-errors'];
  if (groups === undefined || groups === null || groups.length === 0) return undefined;
  const errors = groups.flatMap((group) => (group.errors ?? []).map((error) => ({ ...error, request_id: group.request_id ?? null })));
  if (errors.length === 0) return undefined;
  const notFound = errors.filter((error) => error.code === 'NotFound' && (error.path ?? '').split('.').pop() === 'id');
  if (notFound.length === errors.length) {
    const first = errors[0];
    return new NotFoundError('kommo lead', String(first?.request_id ?? 'unknown'), { details: { account: context.account } });
  }
  const fieldOf = context.fieldOf ?? ((path: string) => path);
  const fieldErrors: FieldError[] = errors.map((error) => {
    const path = [error.request_id, error.path].filter((part) => part !== null && part !== undefined && part !== '').join('.');
    return {
      field: fieldOf(path),
      message: scrub(
        `${error.code ?? 'Invalid'}${error.detail ? `: ${error.detail}` : ''} (Kommo path ${path || 'body'})`,
        context.secrets ?? [],
      ),
    };
  });
  return new ValidationError(fieldErrors, { details: { provider: kommoProvider, operation: context.operation, account: context.account } });
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

function summarise(problem: KommoErrorBody | undefined, body: unknown, secrets: readonly string[]): string {
  const parts: string[] = [];
  if (problem !== undefined) {
    if (problem.title) parts.push(problem.title);
    if (problem.detail) parts.push(problem.detail);
  } else if (typeof body === 'string') {
    parts.push(body);
  }
  return scrub(parts.join(': '), secrets);
}

function scrub(text: string, secrets: readonly string[]): string {
  let summary = text;
  for (const secret of secrets) {
    if (secret.length >= 3) summary = summary.split(secret).join('[redacted]');
  }
  summary = maskPersonalData(summary.replace(/\s+/g, ' ').trim());
  return summary.length > maxSummaryLength ? `${summary.slice(0, maxSummaryLength)}…` : summary;
}

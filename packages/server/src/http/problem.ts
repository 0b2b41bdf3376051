/**
 * RFC 9457 problem details: every error the API answers with, whatever threw it, becomes one
 * `application/problem+json` document carrying the `SdrError` code — so a client handles
 * failures by `code` and `status`, and reads `errors[].field` to point at its own input.
 */
import {
  AbortedError,
  AuthError,
  ConflictError,
  LockNotAcquiredError,
  NotFoundError,
  ProviderError,
  ProviderUnavailableError,
  RateLimitedError,
  RecipientUnreachableError,
  SdrError,
  SlotUnavailableError,
  ValidationError,
  maskPersonalData,
  type FieldError,
} from '@sdr/core';

/** The media type of problem documents. */
export const problemContentType = 'application/problem+json; charset=utf-8';

/** A problem document (RFC 9457) with the extension members this API uses. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  /** The `SdrError` code, or an HTTP-level one (`payload_too_large`, `unsupported_media_type`, `route_not_found`). */
  readonly code: string;
  readonly instance: string;
  readonly requestId: string;
  readonly errors?: readonly FieldError[];
  readonly alternatives?: readonly { readonly start: string; readonly end: string; readonly localLabel?: string }[];
  readonly retryAfterMs?: number;
}

/** A problem and the headers that go with it (`Retry-After`, `WWW-Authenticate`). */
export interface ProblemResponse {
  readonly problem: Problem;
  readonly headers: Readonly<Record<string, string>>;
}

/** Where the problem happened: the request's path and id. */
export interface ProblemOrigin {
  readonly instance: string;
  readonly requestId: string;
}

/** A problem type URI: a URN, so that it names the problem without pretending to be a web page. */
export function problemType(code: string): string {
  return `urn:sdr:problem:${code}`;
}

const titles: Readonly<Record<number, string>> = {
  400: 'Invalid request',
  401: 'Unauthorized',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  429: 'Too many requests',
  500: 'Internal server error',
  502: 'Bad gateway',
  503: 'Service unavailable',
};

/** Builds a problem from its parts. */
export function problem(
  origin: ProblemOrigin,
  input: { readonly status: number; readonly code: string; readonly detail: string; readonly title?: string },
): Problem {
  return {
    type: problemType(input.code),
    title: input.title ?? titles[input.status] ?? 'Error',
    status: input.status,
    detail: input.detail,
    code: input.code,
    instance: origin.instance,
    requestId: origin.requestId,
  };
}

/** Maps any thrown value to its problem response. Internals of unexpected errors never leave the server. */
export function problemFor(error: unknown, origin: ProblemOrigin): ProblemResponse {
  if (SdrError.isInstance(error)) return sdrProblem(error, error.message, origin);
  const framework = frameworkProblem(error, origin);
  if (framework) return framework;
  return internalProblem(origin);
}

// `error` stays `unknown`: the classes are structurally alike, so narrowing a typed error through
// one failed check would make TypeScript rule out the next.
function sdrProblem(error: unknown, detail: string, origin: ProblemOrigin): ProblemResponse {
  if (ValidationError.isInstance(error)) {
    // Well-formed but unacceptable content (an integration's configuration) is a 422.
    const status = error.details['unprocessable'] === true ? 422 : 400;
    return { problem: { ...problem(origin, { status, code: 'validation_failed', detail }), errors: error.fieldErrors }, headers: {} };
  }
  if (NotFoundError.isInstance(error)) return { problem: problem(origin, { status: 404, code: 'not_found', detail }), headers: {} };
  if (SlotUnavailableError.isInstance(error)) {
    const alternatives = error.alternatives.map((slot) => ({
      start: slot.start.toISOString(),
      end: slot.end.toISOString(),
      ...(slot.localLabel === undefined ? {} : { localLabel: slot.localLabel }),
    }));
    return {
      problem: { ...problem(origin, { status: 409, code: 'slot_unavailable', detail, title: 'Slot unavailable' }), alternatives },
      headers: {},
    };
  }
  if (ConflictError.isInstance(error)) return { problem: problem(origin, { status: 409, code: error.code, detail }), headers: {} };
  if (RateLimitedError.isInstance(error)) {
    const retryAfterMs = error.retryAfterMs ?? 1000;
    return {
      problem: { ...problem(origin, { status: 429, code: 'rate_limited', detail }), retryAfterMs },
      headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) },
    };
  }
  if (AuthError.isInstance(error)) {
    return { problem: problem(origin, { status: 401, code: 'auth_failed', detail }), headers: { 'www-authenticate': 'Bearer' } };
  }
  if (ProviderUnavailableError.isInstance(error)) {
    return { problem: problem(origin, { status: 503, code: 'provider_unavailable', detail }), headers: { 'retry-after': '1' } };
  }
  if (LockNotAcquiredError.isInstance(error)) {
    return { problem: problem(origin, { status: 503, code: 'lock_not_acquired', detail }), headers: { 'retry-after': '1' } };
  }
  // The request was fine, but the channel will never deliver to this person: not worth a retry.
  if (RecipientUnreachableError.isInstance(error)) {
    return { problem: problem(origin, { status: 422, code: 'recipient_unreachable', detail }), headers: {} };
  }
  // The server gave the call up (shutting down): nothing wrong with the request, try again.
  if (AbortedError.isInstance(error)) {
    return { problem: problem(origin, { status: 503, code: 'aborted', detail }), headers: { 'retry-after': '1' } };
  }
  // A provider answered with an error: the gateway's failure, not ours — its message is already redacted.
  if (ProviderError.isInstance(error)) return { problem: problem(origin, { status: 502, code: 'provider_error', detail }), headers: {} };
  return internalProblem(origin);
}

/** A 500 that says nothing of what failed: the logs have it, under the request id. */
function internalProblem(origin: ProblemOrigin): ProblemResponse {
  return {
    problem: problem(origin, {
      status: 500,
      code: 'internal',
      detail: 'An unexpected error occurred. Quote the request id when reporting it.',
    }),
    headers: {},
  };
}

/** Fastify's own errors (`FST_ERR_*`): the body could not be read, or no route matched. */
function frameworkProblem(error: unknown, origin: ProblemOrigin): ProblemResponse | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, statusCode, message } = error as { code?: unknown; statusCode?: unknown; message?: unknown };
  if (typeof statusCode !== 'number' || statusCode < 400 || statusCode >= 500) return undefined;
  const text = typeof message === 'string' ? maskPersonalData(message) : 'invalid request';
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return simple(origin, 413, 'payload_too_large', 'The request body is larger than this server accepts.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return simple(origin, 415, 'unsupported_media_type', 'Send the request body as application/json.');
    default:
      break;
  }
  if (statusCode === 400) {
    // Malformed or empty JSON, a bad Content-Length: the body as a whole is the offending field.
    const errors = [{ field: 'body', message: text }];
    return { problem: { ...problem(origin, { status: 400, code: 'validation_failed', detail: `body: ${text}` }), errors }, headers: {} };
  }
  if (statusCode === 404) return simple(origin, 404, 'route_not_found', text);
  return simple(origin, statusCode, typeof code === 'string' ? code.toLowerCase() : 'invalid_request', text);
}

function simple(origin: ProblemOrigin, status: number, code: string, detail: string): ProblemResponse {
  return { problem: problem(origin, { status, code, detail }), headers: {} };
}

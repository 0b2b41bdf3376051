/**
 * The HTTP client every part of the package uses: ky over an injectable `fetch`, no retries of its
 * own (the sync worker owns retrying), a client timeout per call, the caller's `AbortSignal`, and
 * — before every request, token refreshes included — one token of the account's bucket from the
 * shared rate limiter (core's request pacer). The bearer token comes from the `KommoTokenSource`;
 * a 401 makes it refresh once and the request is sent again, once.
 *
 * A call answers an outcome instead of throwing, so that callers can tell "refused" from "may
 * have been carried out" (a note whose answer was lost is looked up, not written again).
 */
import { ValidationError, abortedError, type CallOptions, type RequestPacer } from '@sdr/core';
import ky, { TimeoutError, type KyInstance } from 'ky';
import type { z } from 'zod';
import { kommoProvider, toKommoError, type KommoErrorContext, type KommoFailure } from './kommo-errors.js';

/** Where the bearer token comes from (a long-lived token, or OAuth with refresh). */
export interface KommoTokenSource {
  /** The token to send now. */
  token(options: CallOptions): Promise<string>;
  /** After a 401 with `rejected`: a fresh token, or `null` when there is none to get (a long-lived token). */
  renew(rejected: string, options: CallOptions): Promise<string | null>;
}

/** One request. */
export interface KommoRequest<T> {
  /** Names the operation in errors and logs (`leads.update`). */
  readonly operation: string;
  readonly method: 'get' | 'post' | 'patch' | 'delete';
  /** Path below the base URL, without the leading slash (`api/v4/leads`). */
  readonly path: string;
  readonly searchParams?: URLSearchParams;
  readonly json?: unknown;
  /** Parses the 2xx body; a body that does not match is a `malformed` failure. */
  readonly schema: z.ZodType<T>;
  /** What a 204 (Kommo's empty list) answers; without it a 204 is malformed. */
  readonly empty?: T;
  /** Send without a bearer token (the token endpoint). */
  readonly anonymous?: boolean;
  readonly signal?: AbortSignal | undefined;
}

/** What came of a request: the parsed answer, or what went wrong. */
export type KommoOutcome<T> =
  | { readonly ok: true; readonly status: number; readonly value: T }
  | { readonly ok: false; readonly failure: KommoFailure };

/** Options of `createKommoClient`. */
export interface KommoClientOptions {
  /** `https://{subdomain}.kommo.com`, or another base (a proxy, a fake). */
  readonly baseUrl: string;
  /** The account's name in errors and logs (its subdomain). */
  readonly account: string;
  readonly pacer: RequestPacer;
  /** Null for a client that only calls anonymous endpoints. */
  readonly tokens: KommoTokenSource | null;
  readonly fetch?: typeof globalThis.fetch;
  /** Client timeout of a request, in milliseconds (default 15 000). */
  readonly requestTimeoutMs?: number;
}

/** A client bound to one account. */
export interface KommoClient {
  readonly baseUrl: string;
  readonly account: string;
  /** Sends a request (paced). Rejects only with an `AbortedError` (the caller's signal), or an error of the token source. */
  call<T>(request: KommoRequest<T>): Promise<KommoOutcome<T>>;
}

const defaultTimeoutMs = 15_000;

/** Checks and normalises a base URL: http(s), no query, no trailing slash. */
export function normaliseBaseUrl(baseUrl: string, field = 'baseUrl'): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw ValidationError.forField(field, 'is not a URL (expected https://<subdomain>.kommo.com)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw ValidationError.forField(field, 'must be an http or https URL');
  if (url.search !== '' || url.hash !== '') throw ValidationError.forField(field, 'must not have a query string or fragment');
  if (url.username !== '' || url.password !== '') throw ValidationError.forField(field, 'must not carry credentials');
  return url.toString().replace(/\/+$/, '');
}

/** Creates the client of one account. */
export function createKommoClient(options: KommoClientOptions): KommoClient {
  const baseUrl = normaliseBaseUrl(options.baseUrl);
  const timeoutMs = options.requestTimeoutMs ?? defaultTimeoutMs;
  if (!(timeoutMs > 0)) throw ValidationError.forField('requestTimeoutMs', 'must be positive');
  const http: KyInstance = ky.create({
    prefixUrl: baseUrl,
    headers: { accept: 'application/hal+json, application/json' },
    retry: 0,
    throwHttpErrors: false,
    timeout: timeoutMs,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });

  const send = async <T>(request: KommoRequest<T>, token: string | null): Promise<KommoOutcome<T>> => {
    const site = { provider: kommoProvider, operation: request.operation };
    const callOptions: CallOptions = request.signal === undefined ? {} : { signal: request.signal };
    await options.pacer.next(request.operation, callOptions);
    let response: Response;
    try {
      response = await http(request.path, {
        method: request.method,
        ...(token === null ? {} : { headers: { authorization: `Bearer ${token}` } }),
        ...(request.searchParams === undefined ? {} : { searchParams: request.searchParams }),
        ...(request.json === undefined ? {} : { json: request.json }),
        ...(request.signal === undefined ? {} : { signal: request.signal }),
      });
    } catch (error) {
      if (isAborted(request.signal)) throw abortedError(request.signal, site);
      if (error instanceof TimeoutError) return { ok: false, failure: { kind: 'timeout', timeoutMs } };
      return { ok: false, failure: { kind: 'network', code: errorCode(error) } };
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      if (isAborted(request.signal)) throw abortedError(request.signal, site);
      return { ok: false, failure: { kind: 'network', code: errorCode(error) ?? 'BODY_INTERRUPTED' } };
    }
    const json = parseJson(text);
    if (!response.ok) {
      return {
        ok: false,
        failure: {
          kind: 'http',
          status: response.status,
          body: json.ok ? json.value : text,
          retryAfter: response.headers.get('retry-after'),
          requestId: response.headers.get('x-request-id'),
        },
      };
    }
    if (response.status === 204 || (json.ok && json.value === undefined)) {
      if (request.empty !== undefined) return { ok: true, status: response.status, value: request.empty };
      return { ok: false, failure: { kind: 'malformed', status: response.status, issue: 'no body' } };
    }
    if (!json.ok) return { ok: false, failure: { kind: 'malformed', status: response.status, issue: 'not JSON' } };
    const parsed = request.schema.safeParse(json.value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'body';
      return { ok: false, failure: { kind: 'malformed', status: response.status, issue: `${where}: ${issue?.message ?? 'invalid'}` } };
    }
    return { ok: true, status: response.status, value: parsed.data };
  };

  return {
    baseUrl,
    account: options.account,
    async call<T>(request: KommoRequest<T>): Promise<KommoOutcome<T>> {
      const site = { provider: kommoProvider, operation: request.operation };
      if (isAborted(request.signal)) throw abortedError(request.signal, site);
      const tokens = request.anonymous === true ? null : options.tokens;
      const callOptions: CallOptions = request.signal === undefined ? {} : { signal: request.signal };
      const token = tokens === null ? null : await tokens.token(callOptions);
      const first = await send(request, token);
      if (first.ok || first.failure.kind !== 'http' || first.failure.status !== 401 || tokens === null || token === null) return first;
      // Refresh once, then send again once (as Kommo's own client does); a second 401 stands.
      const renewed = await tokens.renew(token, callOptions);
      return renewed === null ? first : send(request, renewed);
    },
  };
}

/** The value of a successful outcome, or the mapped error of a failed one. */
export function unwrap<T>(outcome: KommoOutcome<T>, context: KommoErrorContext): T {
  if (outcome.ok) return outcome.value;
  throw toKommoError(outcome.failure, context);
}

// A function, not an inline check: TypeScript would keep the narrowing of an earlier check across
// the awaits in between, during which the signal may well have aborted.
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function parseJson(text: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false } {
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

// Node's fetch (undici) throws `TypeError: fetch failed` with the socket error in `cause`.
function errorCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 4; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

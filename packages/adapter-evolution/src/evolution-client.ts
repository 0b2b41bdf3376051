/**
 * The HTTP client every part of the package uses: ky over an injectable `fetch`, the `apikey`
 * header, no retries of its own (the dispatcher and the send lookup own retrying), a client
 * timeout per call, and the caller's `AbortSignal`. A call answers an outcome instead of throwing,
 * so that a send can tell "refused" from "may have gone out"; `unwrap` turns a failed outcome into
 * the mapped `SdrError`.
 */
import { ValidationError, abortedError } from '@sdr/core';
import ky, { TimeoutError, type KyInstance } from 'ky';
import type { z } from 'zod';
import {
  evolutionProvider,
  networkFailure,
  toEvolutionError,
  type EvolutionErrorContext,
  type EvolutionFailure,
} from './evolution-errors.js';

/** How to reach one Evolution server. */
export interface EvolutionConnection {
  /** The server's base URL (`https://evolution.example.com`); a path prefix is kept. */
  readonly baseUrl: string;
  /** The global API key or the instance's token, sent as the `apikey` header. */
  readonly apiKey: string;
  /** A `fetch` to use instead of the global one (tests, proxies). */
  readonly fetch?: typeof globalThis.fetch;
  /** Client timeout of a request, in milliseconds (default 15 000). */
  readonly requestTimeoutMs?: number;
}

/** One request. */
export interface EvolutionRequest<T> {
  /** Names the operation in errors and logs (`sendText`). */
  readonly operation: string;
  readonly method: 'get' | 'post';
  /** Path below the base URL, its segments already encoded (`message/sendText/acme`). */
  readonly path: string;
  readonly json?: unknown;
  /** Parses the 2xx body; a body that does not match is a `malformed` failure. */
  readonly schema: z.ZodType<T>;
  /** Overrides the connection's timeout (a send with a typing delay waits longer). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal | undefined;
  /** Largest answer accepted, in bytes (default 1 MiB). */
  readonly maxBodyBytes?: number;
}

/** What came of a request: the parsed answer, or what went wrong. */
export type EvolutionOutcome<T> =
  | { readonly ok: true; readonly status: number; readonly value: T }
  | { readonly ok: false; readonly failure: EvolutionFailure };

/** A client bound to one server and key. */
export interface EvolutionClient {
  /** The base URL without a trailing slash. */
  readonly baseUrl: string;
  /** Sends a request. Rejects only when the caller's signal aborts, with an `AbortedError`. */
  call<T>(request: EvolutionRequest<T>): Promise<EvolutionOutcome<T>>;
}

const defaultTimeoutMs = 15_000;
const defaultMaxBodyBytes = 1024 * 1024;

/** Checks and normalises a base URL: http(s), no query, no trailing slash. */
export function normaliseBaseUrl(baseUrl: string, field = 'baseUrl'): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw ValidationError.forField(field, 'is not a URL (expected https://evolution.example.com)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw ValidationError.forField(field, 'must be an http or https URL');
  if (url.search !== '' || url.hash !== '') throw ValidationError.forField(field, 'must not have a query string or fragment');
  if (url.username !== '' || url.password !== '') throw ValidationError.forField(field, 'must not carry credentials');
  return url.toString().replace(/\/+$/, '');
}

/** Creates the client of one connection. */
export function createEvolutionClient(connection: EvolutionConnection): EvolutionClient {
  const baseUrl = normaliseBaseUrl(connection.baseUrl);
  if (connection.apiKey.trim() === '') throw ValidationError.forField('apiKey', 'must not be empty');
  const defaultTimeout = connection.requestTimeoutMs ?? defaultTimeoutMs;
  if (!(defaultTimeout > 0)) throw ValidationError.forField('requestTimeoutMs', 'must be positive');
  const http: KyInstance = ky.create({
    prefixUrl: baseUrl,
    headers: { apikey: connection.apiKey, accept: 'application/json' },
    retry: 0,
    throwHttpErrors: false,
    ...(connection.fetch === undefined ? {} : { fetch: connection.fetch }),
  });

  return {
    baseUrl,
    async call<T>(request: EvolutionRequest<T>): Promise<EvolutionOutcome<T>> {
      const site = { provider: evolutionProvider, operation: request.operation };
      if (isAborted(request.signal)) throw abortedError(request.signal, site);
      const timeoutMs = request.timeoutMs ?? defaultTimeout;
      let response: Response;
      try {
        response = await http(request.path, {
          method: request.method,
          timeout: timeoutMs,
          ...(request.json === undefined ? {} : { json: request.json }),
          ...(request.signal === undefined ? {} : { signal: request.signal }),
        });
      } catch (error) {
        if (isAborted(request.signal)) throw abortedError(request.signal, site);
        if (error instanceof TimeoutError) return { ok: false, failure: { kind: 'timeout', timeoutMs } };
        return { ok: false, failure: networkFailure(errorCode(error)) };
      }
      let text: string;
      try {
        const read = await readCapped(response, request.maxBodyBytes ?? defaultMaxBodyBytes);
        if (read === undefined)
          return { ok: false, failure: { kind: 'too_large', limitBytes: request.maxBodyBytes ?? defaultMaxBodyBytes } };
        text = read;
      } catch (error) {
        if (isAborted(request.signal)) throw abortedError(request.signal, site);
        // The status line arrived; the body broke off. A 2xx may hide a completed operation.
        return { ok: false, failure: networkFailure(errorCode(error) ?? 'BODY_INTERRUPTED') };
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
          },
        };
      }
      if (!json.ok) return { ok: false, failure: { kind: 'malformed', status: response.status, issue: 'not JSON' } };
      const parsed = request.schema.safeParse(json.value);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'body';
        return { ok: false, failure: { kind: 'malformed', status: response.status, issue: `${where}: ${issue?.message ?? 'invalid'}` } };
      }
      return { ok: true, status: response.status, value: parsed.data };
    },
  };
}

/** The value of a successful outcome, or the mapped error of a failed one. */
export function unwrap<T>(outcome: EvolutionOutcome<T>, context: EvolutionErrorContext): T {
  if (outcome.ok) return outcome.value;
  throw toEvolutionError(outcome.failure, context);
}

/** Encodes one path segment (instance names may hold spaces and other characters). */
export function segment(value: string): string {
  return encodeURIComponent(value);
}

async function readCapped(response: Response, maxBytes: number): Promise<string | undefined> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    discard(response.body?.cancel());
    return undefined;
  }
  if (response.body === null) return '';
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      discard(reader.cancel());
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

// A function, not an inline check: TypeScript would keep the narrowing of an earlier check across
// the awaits in between, during which the signal may well have aborted.
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

// Cancelling is not awaited: some stream sources settle the cancel only once the other side of a
// tee is drained, and nothing here depends on it having finished.
function discard(cancelled: Promise<void> | undefined): void {
  cancelled?.catch(() => undefined);
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

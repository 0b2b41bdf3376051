/**
 * One request to Google Calendar through the generated client: the access token as a header,
 * the client timeout and the caller's signal, the answer checked with its zod schema, and every
 * failure turned into a `GoogleCalendarFailure` then an `SdrError` (`google-calendar-errors.ts`).
 * A 401 refreshes the token once. Retries are the caller's, with `withGoogleRetry`.
 */
import { abortedError, retryOperation, throwIfAborted, type CallOptions, type Clock, type RetryPolicy } from '@sdr/core';
import type { MethodOptions } from '@googleapis/calendar';
import type { z } from 'zod';
import type { GoogleAccessTokens } from './google-auth.js';
import {
  googleCalendarProvider,
  toGoogleCalendarError,
  type GoogleCalendarErrorContext,
  type GoogleCalendarFailure,
} from './google-calendar-errors.js';

/** What the generated client resolves with (the part the adapter reads). */
export interface GoogleResponse {
  readonly status: number;
  readonly data: unknown;
}

/** One request of an operation. */
export interface GoogleRequest<Schema extends z.ZodType> {
  readonly operation: string;
  readonly schema: Schema;
  readonly resource?: GoogleCalendarErrorContext['resource'];
  readonly run: (options: MethodOptions) => Promise<GoogleResponse>;
}

export interface GoogleRequestRunner {
  /** Sends one request (one attempt, plus one after a 401) and returns its parsed answer, or throws the mapped error. */
  data<Schema extends z.ZodType>(request: GoogleRequest<Schema>, options: CallOptions | undefined): Promise<z.output<Schema>>;
  /** As `data`, but the failures `accept` picks (a 404 on delete) are returned instead of thrown. */
  send<Schema extends z.ZodType>(
    request: GoogleRequest<Schema> & { readonly accept: (failure: GoogleCalendarFailure) => boolean },
    options: CallOptions | undefined,
  ): Promise<
    { readonly kind: 'ok'; readonly data: z.output<Schema> } | { readonly kind: 'accepted'; readonly failure: GoogleCalendarFailure }
  >;
}

export interface GoogleRequestRunnerOptions {
  readonly tokens: GoogleAccessTokens;
  readonly clock: Clock;
  readonly timeoutMs: number;
}

/** Creates the runner every operation of the port goes through. */
export function createGoogleRequestRunner(runnerOptions: GoogleRequestRunnerOptions): GoogleRequestRunner {
  const { tokens, clock, timeoutMs } = runnerOptions;
  const send: GoogleRequestRunner['send'] = async (request, options) => {
    const site = { provider: googleCalendarProvider, operation: request.operation };
    let rejected: string | undefined;
    for (let attempt = 1; ; attempt += 1) {
      throwIfAborted(options, site);
      const token = await tokens.accessToken({ ...options, ...(rejected === undefined ? {} : { rejected }) });
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = options?.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
      let failure: GoogleCalendarFailure;
      try {
        const response = await request.run({ headers: { authorization: `Bearer ${token}` }, signal, retry: false });
        const parsed = request.schema.safeParse(response.data);
        if (parsed.success) return { kind: 'ok', data: parsed.data };
        failure = { kind: 'malformed', status: response.status, issue: parsed.error.issues[0]?.message ?? 'invalid' };
      } catch (error) {
        if (options?.signal?.aborted === true) throw abortedError(options.signal, site);
        failure = timeout.aborted ? { kind: 'timeout', timeoutMs } : failureOf(error, timeoutMs);
      }
      if (failure.kind === 'http' && failure.status === 401 && attempt === 1) {
        rejected = token;
        continue;
      }
      if (request.accept(failure)) return { kind: 'accepted', failure };
      throw toGoogleCalendarError(failure, {
        operation: request.operation,
        now: clock.now(),
        secrets: [token, ...tokens.secrets],
        ...(request.resource ? { resource: request.resource } : {}),
      });
    }
  };
  return {
    send,
    async data(request, options) {
      const answer = await send({ ...request, accept: () => false }, options);
      if (answer.kind === 'ok') return answer.data;
      throw toGoogleCalendarError(answer.failure, { operation: request.operation, now: clock.now() });
    },
  };
}

/** What a thrown value of the generated client (a `GaxiosError`, a fetch failure) says happened on the wire. */
export function failureOf(error: unknown, timeoutMs: number): GoogleCalendarFailure {
  const record = typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : {};
  const response = record.response;
  if (typeof response === 'object' && response !== null) {
    const { status, data, headers } = response as { status?: unknown; data?: unknown; headers?: unknown };
    if (typeof status === 'number') {
      const retryAfter = headers instanceof Headers ? headers.get('retry-after') : null;
      return { kind: 'http', status, body: data, retryAfter };
    }
  }
  const name = typeof record.name === 'string' ? record.name : '';
  if (name === 'TimeoutError') return { kind: 'timeout', timeoutMs };
  const code = networkCode(record.code) ?? networkCode((record.cause as Record<string, unknown> | undefined)?.code);
  return { kind: 'network', code };
}

function networkCode(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * Runs `operation` under the adapter's retry policy (core's `retryOperation`: rate limits, 5xx
 * and timeouts retried with jittered backoff, never shorter than a Retry-After; the rest thrown
 * at once). An abort during a backoff rejects with an `AbortedError`.
 */
export async function withGoogleRetry<T>(
  operation: (attempt: number) => Promise<T>,
  input: { readonly clock: Clock; readonly policy: RetryPolicy; readonly operation: string; readonly options: CallOptions | undefined },
): Promise<T> {
  const signal = input.options?.signal;
  try {
    return await retryOperation(operation, { clock: input.clock, policy: input.policy, ...(signal ? { signal } : {}) });
  } catch (error) {
    if (signal?.aborted === true) throw abortedError(signal, { provider: googleCalendarProvider, operation: input.operation });
    throw error;
  }
}

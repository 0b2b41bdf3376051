/**
 * The "server side" of the in-memory CRM: every request a port call makes passes through
 * here. It is logged with the clock's time and its HTTP-like status, and refused the way Kommo
 * refuses it: outage (503 ⇒ `ProviderUnavailableError`), IP block (403 without JSON detail ⇒
 * non-retryable `ProviderError`), rate limit (429 ⇒ `RateLimitedError` with Retry-After).
 *
 * The rate limit is a sliding window: a request is refused when `requestsPerSecond` requests
 * were already accepted in the second before it (`(now − 1000 ms, now]`). Refused requests do
 * not count against the limit and do nothing.
 */
import {
  AbortedError,
  NotFoundError,
  ProviderError,
  ProviderUnavailableError,
  RateLimitedError,
  type SdrError,
  ValidationError,
} from '../../errors/index.js';
import { sleepUnlessAborted, type CallOptions } from '../../ports/call-options.js';
import type { Clock } from '../../ports/clock/clock.js';

/** One request as the CRM saw it. */
export interface CrmRequestRecord {
  readonly at: Date;
  /** The port method (`updateLeads`, `addNotes`, …); `upsertLeads.search` for the phone searches an upsert makes. */
  readonly method: string;
  /** 200 done, 400 invalid, 403 blocked, 404 not found, 429 rate limited, 499 aborted by the caller, 503 outage, 500 other failure. */
  readonly status: number;
  /** Patches, notes or ids the request carried (1 for single-item requests). */
  readonly items: number;
  /** The request asked to replace a lead's tags wholesale (Kommo's `_embedded.tags`). */
  readonly replacedTags: boolean;
}

/** What a request carries, for the log. */
export interface CrmRequestDetails {
  readonly items?: number;
  readonly replacedTags?: boolean;
}

interface LoggedRequest {
  readonly at: number;
  readonly method: string;
  readonly items: number;
  readonly replacedTags: boolean;
  status: number;
  /** Reached the account (counts against the rate limit): everything but 429, 403 and 503. */
  readonly accepted: boolean;
}

const windowMs = 1000;

/** The request path of the in-memory CRM and its controls. */
interface CrmRequestGate {
  /**
   * Runs `operation` as one request of `method`, or refuses it. An abort of the call's signal
   * during the latency rejects with an `AbortedError` before the operation runs.
   */
  handle<T>(method: string, operation: () => T, details?: CrmRequestDetails, options?: CallOptions): Promise<T>;
  readonly requests: readonly CrmRequestRecord[];
  maxRequestsPerSecond(): number;
  clearRequests(): void;
  setOutage(down: boolean): void;
  blockIp(blocked: boolean): void;
  setLatency(ms: number): void;
  readonly down: boolean;
  readonly blocked: boolean;
}

/** Creates the gate: no outage, no block, no latency, an empty log. */
export function createCrmRequestGate(options: {
  readonly clock: Clock;
  readonly provider: string;
  readonly requestsPerSecond: number;
  readonly enforceRateLimit: boolean;
}): CrmRequestGate {
  const { clock, provider } = options;
  const log: LoggedRequest[] = [];
  let down = false;
  let blocked = false;
  let latencyMs = 0;

  /** Logs a refused request and returns the error to throw. */
  const refused = (request: Omit<LoggedRequest, 'status' | 'accepted'>, status: number, error: SdrError): SdrError => {
    log.push({ ...request, status, accepted: false });
    return error;
  };

  /** Accepted requests within the window ending at `at`, oldest first. */
  const acceptedWithin = (at: number) => log.filter((request) => request.accepted && request.at > at - windowMs && request.at <= at);

  return {
    async handle<T>(method: string, operation: () => T, details: CrmRequestDetails = {}, callOptions?: CallOptions): Promise<T> {
      const at = clock.now().getTime();
      const seen = { at, method, items: details.items ?? 1, replacedTags: details.replacedTags ?? false };
      if (down) throw refused(seen, 503, new ProviderUnavailableError({ provider, operation: method, message: 'the CRM is down' }));
      if (blocked) {
        throw refused(seen, 403, new ProviderError({ provider, operation: method, status: 403, retryable: false, message: 'Forbidden' }));
      }
      if (options.enforceRateLimit) {
        const recent = acceptedWithin(at);
        if (recent.length >= options.requestsPerSecond) {
          // Enough of the oldest requests must leave the window for one more to fit.
          const leaving = recent[recent.length - options.requestsPerSecond];
          const retryAfterMs = Math.max(1, (leaving?.at ?? at) + windowMs - at);
          throw refused(seen, 429, new RateLimitedError(`${provider} ${method}: too many requests`, { retryAfterMs, provider }));
        }
      }
      const request: LoggedRequest = { ...seen, status: 0, accepted: true };
      log.push(request);
      try {
        if (latencyMs > 0) await sleepUnlessAborted(clock, latencyMs, callOptions, { provider, operation: method });
        const result = operation();
        request.status = 200;
        return result;
      } catch (error) {
        request.status = statusOf(error);
        throw error;
      }
    },

    get requests() {
      return log.map((request) => ({
        at: new Date(request.at),
        method: request.method,
        status: request.status,
        items: request.items,
        replacedTags: request.replacedTags,
      }));
    },

    maxRequestsPerSecond() {
      const times = log.filter((request) => request.accepted).map((request) => request.at);
      times.sort((a, b) => a - b);
      let max = 0;
      let first = 0;
      for (let last = 0; last < times.length; last += 1) {
        while ((times[last] ?? 0) - (times[first] ?? 0) >= windowMs) first += 1;
        max = Math.max(max, last - first + 1);
      }
      return max;
    },

    clearRequests: () => {
      log.length = 0;
    },
    setOutage: (value) => {
      down = value;
    },
    blockIp: (value) => {
      blocked = value;
    },
    setLatency: (ms) => {
      if (!(Number.isFinite(ms) && ms >= 0)) throw ValidationError.forField('latencyMs', 'must be 0 or more milliseconds');
      latencyMs = ms;
    },
    get down() {
      return down;
    },
    get blocked() {
      return blocked;
    },
  };
}

function statusOf(error: unknown): number {
  // The client gave up before the answer (HTTP clients log 499).
  if (AbortedError.isInstance(error)) return 499;
  if (ValidationError.isInstance(error)) return 400;
  if (NotFoundError.isInstance(error)) return 404;
  return 500;
}

/**
 * What the parts of the CRM adapter share: the account's client, the clock, the secrets to keep
 * out of errors, and `request` — a call whose failure is thrown as the mapped `SdrError`.
 */
import { ValidationError, type CallOptions, type Clock } from '@sdr/core';
import type { KommoClient, KommoOutcome, KommoRequest } from './kommo-client.js';
import { toKommoError } from './kommo-errors.js';
import type { CountryCode } from './map-kommo-lead.js';

/** Shared by the CRM's parts. */
export interface KommoContext {
  readonly client: KommoClient;
  readonly clock: Clock;
  readonly secrets: readonly string[];
  readonly defaultCountry: CountryCode;
  readonly maxBatchSize: number;
  /** Sends and unwraps; `fieldOf` names the caller's field of a 400's path. */
  request<T>(request: KommoRequest<T>, fieldOf?: (path: string) => string): Promise<T>;
  /** Sends and returns the outcome (for callers that treat some failures themselves). */
  outcome<T>(request: KommoRequest<T>): Promise<KommoOutcome<T>>;
}

export function createKommoContext(input: Omit<KommoContext, 'request' | 'outcome'>): KommoContext {
  const outcome = <T>(request: KommoRequest<T>) => input.client.call(request);
  return {
    ...input,
    outcome,
    async request<T>(request: KommoRequest<T>, fieldOf?: (path: string) => string): Promise<T> {
      const result = await outcome(request);
      if (result.ok) return result.value;
      throw toKommoError(result.failure, {
        operation: request.operation,
        account: input.client.account,
        now: input.clock.now(),
        secrets: input.secrets,
        ...(fieldOf === undefined ? {} : { fieldOf }),
      });
    },
  };
}

/** The signal of call options, for a request. */
export function signalOf(options: CallOptions | undefined): AbortSignal | undefined {
  return options?.signal;
}

/** Refuses a batch longer than the port allows, naming the list. */
export function checkBatchSize(context: KommoContext, list: string, length: number): void {
  if (length > context.maxBatchSize) {
    throw ValidationError.forField(list, `has ${length} items; at most ${context.maxBatchSize} are accepted in one call`);
  }
}

/** Search parameters with repeated keys (`filter[id][]`). */
export function params(entries: readonly (readonly [string, string | number])[]): URLSearchParams {
  const search = new URLSearchParams();
  for (const [key, value] of entries) search.append(key, String(value));
  return search;
}

/** A numeric Kommo id, or `undefined` for an id Kommo cannot have. */
export function kommoId(id: string): number | undefined {
  return /^\d{1,15}$/.test(id) ? Number(id) : undefined;
}

/** `items` in chunks of `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let index = 0; index < items.length; index += size) result.push(items.slice(index, index + size));
  return result;
}

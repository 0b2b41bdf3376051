/**
 * "Did that send go out?" — Evolution gives messages no client-chosen id, so a send whose answer
 * was lost (a client timeout, a connection reset after the request was written) cannot simply be
 * repeated: it may have been delivered. `findMessages` lists our messages to the recipient in a
 * time window; one with the same content that no other send of this process claimed is the one.
 *
 * Lookups need Evolution's message store (`DATABASE_SAVE_DATA_NEW_MESSAGE`). When it is off the
 * store answers nothing, which looks like "not sent": after an empty lookup the store is probed
 * with the last message this process saw accepted; if even that one is missing (or the route
 * answers 400/404) lookups are reported unusable — in the health detail and once in the log.
 */
import { sleepUnlessAborted, type Clock, type Logger, type SdrError } from '@sdr/core';
import { findMessagesResponseSchema, type EvolutionMessage, type FindMessagesRequest } from './evolution-api.js';
import { segment, type EvolutionClient, type EvolutionOutcome } from './evolution-client.js';
import { toEvolutionError } from './evolution-errors.js';

/** Settings of the lookups. */
export interface SendLookupOptions {
  /** Lookups made before concluding "not sent" (default 3): the store may lag behind the send. */
  readonly attempts?: number;
  /** Wait before the second lookup; it doubles after each (default 1000 ms). */
  readonly delayMs?: number;
  /** Margin added on both sides of the window for clock differences with Evolution (default 60 s). */
  readonly clockSkewMs?: number;
}

/** What to look for. */
export interface SentMessageQuery {
  /** The chats the message may be in (the JID sent to; the other BR 9th-digit form). */
  readonly remoteJids: readonly string[];
  /** The message went out after this instant… */
  readonly after: Date;
  /** …and before this one. */
  readonly before: Date;
  /** Whether a stored message has the content sent. */
  readonly matches: (record: EvolutionMessage) => boolean;
  readonly signal?: AbortSignal | undefined;
}

/** What a lookup concluded. */
export type LookupResult =
  | { readonly kind: 'found'; readonly providerMessageId: string }
  | { readonly kind: 'not_found' }
  | { readonly kind: 'unusable'; readonly reason: string }
  | { readonly kind: 'failed'; readonly error: SdrError };

/** The lookups of one instance, and what they learned about the store. */
export interface SendLookup {
  find(query: SentMessageQuery): Promise<LookupResult>;
  /** Records an id a send of this process was answered with: no other send may claim it. */
  recordAccepted(providerMessageId: string): void;
  /** Why lookups cannot work, when that is known. */
  readonly unusableReason: string | undefined;
}

const pageSize = 50;
const maxPages = 4;
const maxClaimedIds = 5_000;
/** A message accepted less than this long ago may not be in the store yet: not a proof of anything. */
const storeLagMs = 5_000;

export function createSendLookup(input: {
  readonly client: EvolutionClient;
  readonly instance: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly options?: SendLookupOptions;
}): SendLookup {
  const { client, instance, clock, logger } = input;
  const attempts = Math.max(1, input.options?.attempts ?? 3);
  const delayMs = input.options?.delayMs ?? 1000;
  const skewMs = input.options?.clockSkewMs ?? 60_000;
  const claimed = new Set<string>();
  let lastAccepted: { readonly id: string; readonly at: number } | undefined;
  let unusableReason: string | undefined;

  const markUnusable = (reason: string) => {
    if (unusableReason === undefined) {
      logger.warn(
        { provider: 'evolution', instance, reason },
        'Evolution message lookups are unavailable: a send whose answer was lost cannot be verified and will be retried',
      );
    }
    unusableReason = reason;
  };

  const request = (body: FindMessagesRequest, signal: AbortSignal | undefined) =>
    client.call({
      operation: 'findMessages',
      method: 'post',
      path: `chat/findMessages/${segment(instance)}`,
      json: body,
      schema: findMessagesResponseSchema,
      signal,
    });

  /** `unusable` for answers that say the route or the store cannot serve lookups. */
  const judge = <T>(outcome: EvolutionOutcome<T>): LookupResult | undefined => {
    if (outcome.ok) return undefined;
    const { failure } = outcome;
    if (failure.kind === 'http' && (failure.status === 400 || failure.status === 404)) {
      const reason = `findMessages answered ${failure.status}`;
      markUnusable(reason);
      return { kind: 'unusable', reason };
    }
    return { kind: 'failed', error: toEvolutionError(failure, { operation: 'findMessages', instance, now: clock.now() }) };
  };

  const searchOnce = async (query: SentMessageQuery): Promise<LookupResult> => {
    const window = {
      gte: new Date(query.after.getTime() - skewMs).toISOString(),
      lte: new Date(query.before.getTime() + skewMs).toISOString(),
    };
    for (const remoteJid of query.remoteJids) {
      for (let page = 1; page <= maxPages; page += 1) {
        const outcome = await request(
          { where: { key: { remoteJid, fromMe: true }, messageTimestamp: window }, page, offset: pageSize },
          query.signal,
        );
        const problem = judge(outcome);
        if (problem) return problem;
        if (!outcome.ok) break;
        const { records, pages } = outcome.value.messages;
        const match = records.find((record) => record.key.fromMe !== false && !claimed.has(record.key.id) && query.matches(record));
        if (match) return { kind: 'found', providerMessageId: match.key.id };
        if (records.length < pageSize || page >= (pages ?? 1)) break;
      }
    }
    return { kind: 'not_found' };
  };

  /** After an empty lookup: is the store keeping messages at all? */
  const probeStore = async (signal: AbortSignal | undefined): Promise<LookupResult> => {
    const known = lastAccepted;
    if (known === undefined || clock.now().getTime() - known.at < storeLagMs) return { kind: 'not_found' };
    const outcome = await request({ where: { key: { id: known.id } }, page: 1, offset: 1 }, signal);
    const problem = judge(outcome);
    if (problem) return problem.kind === 'failed' ? { kind: 'not_found' } : problem;
    if (outcome.ok && outcome.value.messages.records.length === 0 && (outcome.value.messages.total ?? 0) === 0) {
      const reason = "Evolution's message store does not hold the messages it sends (is DATABASE_SAVE_DATA_NEW_MESSAGE off?)";
      markUnusable(reason);
      return { kind: 'unusable', reason };
    }
    unusableReason = undefined;
    return { kind: 'not_found' };
  };

  return {
    async find(query) {
      let last: LookupResult = { kind: 'not_found' };
      for (let attempt = 1; attempt <= attempts; attempt += 1) {
        if (attempt > 1) {
          await sleepUnlessAborted(clock, delayMs * 2 ** (attempt - 2), query.signal === undefined ? undefined : { signal: query.signal }, {
            provider: 'evolution',
            operation: 'findMessages',
          });
        }
        last = await searchOnce({ ...query, before: attempt === 1 ? query.before : clock.now() });
        if (last.kind === 'found') {
          claimed.add(last.providerMessageId);
          unusableReason = undefined;
          return last;
        }
        if (last.kind === 'unusable') return last;
      }
      if (last.kind === 'failed') return last;
      return await probeStore(query.signal);
    },
    recordAccepted(providerMessageId) {
      claimed.add(providerMessageId);
      if (claimed.size > maxClaimedIds) {
        const oldest = claimed.values().next().value;
        if (oldest !== undefined) claimed.delete(oldest);
      }
      lastAccepted = { id: providerMessageId, at: clock.now().getTime() };
    },
    get unusableReason() {
      return unusableReason;
    },
  };
}

/**
 * `createEvolutionMessaging`: the WhatsApp `MessagingPort` over Evolution API v2, for one
 * instance (one WhatsApp number).
 *
 * - Before the first send to a number, `whatsappNumbers` asks WhatsApp whether it exists and
 *   under which id (cached); the message goes to that id. A number not on WhatsApp is a
 *   `RecipientUnreachableError`, without a send.
 * - `typingDelayMs` shows "typing…" for that long before the message (Evolution's `delay`); the
 *   request blocks meanwhile, so its client timeout is the request timeout plus the delay.
 * - A send whose answer was lost (timeout, reset connection, garbled answer) is looked up in
 *   Evolution's store before anything else happens: found, its id is the result; not found, a
 *   retryable error. A repeated send — `attempt.number > 1`, or an idempotency key this process saw
 *   end that way — is looked up before it is sent again.
 * - Requests that reach WhatsApp (number checks and sends) are paced per instance through the
 *   `RateLimiter`, when given, at a rate of the adapter's own (`requestsPerSecond`, burst one): a
 *   safety net under the dispatcher's pacing, not a second copy of it.
 * - An aborted signal rejects a call with an `AbortedError`; a send aborted in flight is looked up
 *   before it is sent again.
 */
import {
  ProviderUnavailableError,
  ValidationError,
  createRequestPacer,
  throwIfAborted,
  noopLogger,
  systemClock,
  type Clock,
  type Logger,
  type MessagingPort,
  type PortHealth,
  type RateLimiter,
  type CallOptions,
  type SendMediaInput,
  type SendResult,
  type SendTextInput,
} from '@sdr/core';
import { sendMessageResponseSchema, type EvolutionMediaType, type EvolutionMessage } from './evolution-api.js';
import { createEvolutionClient, segment } from './evolution-client.js';
import { evolutionProvider, isNotOnWhatsApp, toEvolutionError, type EvolutionFailure } from './evolution-errors.js';
import { probeConnectionState } from './evolution-connection-state.js';
import { createNumberDirectory, type NumberCheckOptions } from './evolution-number-check.js';
import { createSendLookup, type SendLookupOptions } from './evolution-send-lookup.js';
import { messageMedia, messageText, normaliseText } from './map-evolution-content.js';

/** Options of `createEvolutionMessaging`. */
export interface EvolutionMessagingOptions {
  /** The Evolution server (`https://evolution.example.com`). */
  readonly baseUrl: string;
  /** The global API key or the instance's token (`apikey` header). */
  readonly apiKey: string;
  /** The Evolution instance to send from; sends naming another instance are refused. */
  readonly instance: string;
  /** "typing…" shown before each message, in ms (0–20 000; default 0: none). */
  readonly typingDelayMs?: number;
  /** Client timeout of a request, in ms, on top of the typing delay for sends (default 15 000). */
  readonly requestTimeoutMs?: number;
  /** Client timeout of a health check, in ms (default 5 000). */
  readonly healthTimeoutMs?: number;
  /** Paces the requests that reach WhatsApp, per instance. Without it they are not paced here. */
  readonly rateLimiter?: RateLimiter;
  /** The adapter's own pace of those requests, burst one (default 2 per second). */
  readonly requestsPerSecond?: number;
  readonly numberCheck?: NumberCheckOptions;
  readonly sendLookup?: SendLookupOptions;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** A `fetch` to use instead of the global one. */
  readonly fetch?: typeof globalThis.fetch;
}

/** The Evolution `MessagingPort`. */
export interface EvolutionMessaging extends MessagingPort {
  /** The instance this port sends from. */
  readonly instance: string;
}

/** The adapter's default pace of its own WhatsApp requests, per instance. */
export const defaultEvolutionRequestsPerSecond = 2;

const maxTypingDelayMs = 20_000;
const maxUncertainKeys = 1_000;

/** Creates the port. Invalid options are a `ValidationError` naming the option. */
export function createEvolutionMessaging(options: EvolutionMessagingOptions): EvolutionMessaging {
  const instance = options.instance.trim();
  if (instance === '') throw ValidationError.forField('instance', 'must not be empty');
  const typingDelayMs = options.typingDelayMs ?? 0;
  if (!Number.isInteger(typingDelayMs) || typingDelayMs < 0 || typingDelayMs > maxTypingDelayMs) {
    throw ValidationError.forField('typingDelayMs', `must be a whole number of milliseconds from 0 to ${maxTypingDelayMs}`);
  }
  const requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? noopLogger;
  const client = createEvolutionClient({
    baseUrl: options.baseUrl,
    apiKey: options.apiKey,
    requestTimeoutMs,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  const pacer =
    options.rateLimiter === undefined
      ? undefined
      : createRequestPacer({
          rateLimiter: options.rateLimiter,
          clock,
          key: `evolution:${new URL(client.baseUrl).host}:${instance}`,
          maxRequestsPerSecond: options.requestsPerSecond ?? defaultEvolutionRequestsPerSecond,
          provider: evolutionProvider,
        });
  const pace = async (operation: string, signal: AbortSignal | undefined): Promise<void> => {
    await pacer?.next(operation, signal === undefined ? undefined : { signal });
  };
  const numbers = createNumberDirectory({
    client,
    instance,
    clock,
    beforeRequest: (signal) => pace('whatsappNumbers', signal),
    ...(options.numberCheck ? { options: options.numberCheck } : {}),
  });
  const lookup = createSendLookup({ client, instance, clock, logger, ...(options.sendLookup ? { options: options.sendLookup } : {}) });
  // Idempotency keys whose last send ended without knowing whether it went out, and since when.
  const uncertain = new Map<string, Date>();

  const deliver = async (input: {
    readonly send: SendTextInput | SendMediaInput;
    readonly operation: 'sendText' | 'sendMedia';
    readonly body: (number: string) => Record<string, unknown>;
    readonly matches: (record: EvolutionMessage) => boolean;
    readonly secrets: readonly string[];
    readonly signal: AbortSignal | undefined;
  }): Promise<SendResult> => {
    const { send, operation, signal } = input;
    throwIfAborted(signal === undefined ? undefined : { signal }, { provider: evolutionProvider, operation });
    if (send.instance !== instance) {
      throw ValidationError.forField('instance', `this Evolution port sends from instance "${instance}", not "${send.instance}"`);
    }
    if (send.idempotencyKey.trim() === '') throw ValidationError.forField('idempotencyKey', 'must not be empty');
    const recipient = await numbers.resolve(send.to, signal);
    const remoteJids = [...new Set([recipient.jid, ...send.to.variants().map((e164) => `${e164.slice(1)}@s.whatsapp.net`)])];
    const accepted = (providerMessageId: string): SendResult => {
      uncertain.delete(send.idempotencyKey);
      return { providerMessageId, acceptedAt: clock.now() };
    };
    // A message found by a lookup is the result: said in the log, since it explains a "send" without a request.
    const adopt = (providerMessageId: string, why: string): SendResult => {
      logger.info({ provider: evolutionProvider, instance, operation, idempotencyKey: send.idempotencyKey }, why);
      return accepted(providerMessageId);
    };

    const earlier = earliest(
      uncertain.get(send.idempotencyKey),
      (send.attempt?.number ?? 1) > 1 ? send.attempt?.firstAttemptAt : undefined,
    );
    if (earlier !== undefined) {
      const prior = await lookup.find({ remoteJids, after: earlier, before: clock.now(), matches: input.matches, signal });
      if (prior.kind === 'found') return adopt(prior.providerMessageId, 'an earlier attempt was delivered: not sending again');
      // Could not look: sending now might send twice. Try again later, when Evolution answers.
      if (prior.kind === 'failed') throw prior.error;
    }

    await pace(operation, signal);
    const startedAt = clock.now();
    const context = { operation, instance, now: startedAt, secrets: [...input.secrets, options.apiKey] };
    let outcome;
    try {
      outcome = await client.call({
        operation,
        method: 'post',
        path: `message/${operation}/${segment(instance)}`,
        json: input.body(recipient.number),
        schema: sendMessageResponseSchema,
        timeoutMs: requestTimeoutMs + typingDelayMs,
        signal,
      });
    } catch (abort) {
      // Aborted by the caller after the request may have been written: verify before a resend.
      remember(uncertain, send.idempotencyKey, startedAt);
      throw abort;
    }
    if (outcome.ok) {
      lookup.recordAccepted(outcome.value.key.id);
      return accepted(outcome.value.key.id);
    }
    const { failure } = outcome;
    if (failure.kind === 'http' && failure.status === 400 && isNotOnWhatsApp(failure.body)) numbers.markUnreachable(send.to);
    if (!mayHaveBeenSent(failure)) throw toEvolutionError(failure, context);

    // Remembered first: should the lookup be aborted too, the next send of this key still looks.
    remember(uncertain, send.idempotencyKey, startedAt);
    const found = await lookup.find({ remoteJids, after: startedAt, before: clock.now(), matches: input.matches, signal });
    if (found.kind === 'found') return adopt(found.providerMessageId, 'a send whose answer was lost went out: recording it');
    const cause = toEvolutionError(failure, { ...context, now: clock.now() });
    throw new ProviderUnavailableError({
      provider: evolutionProvider,
      operation,
      message: `${describe(failure)}; ${
        found.kind === 'not_found'
          ? "the message is not in Evolution's store, so it is taken as not sent"
          : found.kind === 'unusable'
            ? `whether it went out cannot be checked (${found.reason})`
            : 'whether it went out could not be checked'
      }`,
      cause,
      details: { instance },
    });
  };

  return {
    contractVersion: 'v1',
    provider: evolutionProvider,
    channel: 'whatsapp',
    capabilities: Object.freeze({ media: true, idempotentSends: false }),
    instance,

    sendText(input, callOptions?: CallOptions) {
      return settle(() => {
        if (input.text.trim() === '') throw ValidationError.forField('text', 'must not be empty');
        const expected = normaliseText(input.text);
        return deliver({
          send: input,
          operation: 'sendText',
          body: (number) => ({ number, text: input.text, ...(typingDelayMs > 0 ? { delay: typingDelayMs } : {}) }),
          matches: (record) => normaliseText(messageText(record.message) ?? '') === expected,
          secrets: [input.text, input.to.digits],
          signal: callOptions?.signal,
        });
      });
    },

    sendMedia(input, callOptions?: CallOptions) {
      return settle(() => {
        const { media } = input;
        if (media.contentType.trim() === '') throw ValidationError.forField('media.contentType', 'must not be empty');
        if ((media.url === undefined) === (media.data === undefined))
          throw ValidationError.forField('media', 'needs either a url or the data');
        if (media.url !== undefined && !/^https?:\/\//i.test(media.url))
          throw ValidationError.forField('media.url', 'must be an http or https URL');
        const mediatype = mediaTypeOf(media.contentType);
        const caption = normaliseText(input.caption ?? '');
        const fileName = media.fileName ?? (mediatype === 'document' ? 'document' : undefined);
        return deliver({
          send: input,
          operation: 'sendMedia',
          body: (number) => ({
            number,
            mediatype,
            mimetype: media.contentType,
            media: media.url ?? Buffer.from(media.data ?? new Uint8Array()).toString('base64'),
            ...(input.caption === undefined ? {} : { caption: input.caption }),
            ...(fileName === undefined ? {} : { fileName }),
            ...(typingDelayMs > 0 ? { delay: typingDelayMs } : {}),
          }),
          matches: (record) => {
            const sent = messageMedia(record.message);
            return sent !== undefined && sent.kind === mediatype && normaliseText(sent.caption ?? '') === caption;
          },
          secrets: [...(input.caption ? [input.caption] : []), input.to.digits],
          signal: callOptions?.signal,
        });
      });
    },

    async health(input, callOptions?: CallOptions): Promise<PortHealth> {
      const state = await probeConnectionState({
        client,
        instance: input.instance,
        clock,
        timeoutMs: options.healthTimeoutMs ?? 5_000,
        signal: callOptions?.signal,
      });
      const checkedAt = clock.now();
      if (state.kind !== 'state') return { status: 'down', detail: state.detail, checkedAt };
      if (state.state !== 'open')
        return { status: 'down', detail: `instance "${input.instance}" is ${describeState(state.state)}`, checkedAt };
      const unusable = input.instance === instance ? lookup.unusableReason : undefined;
      if (unusable !== undefined) {
        return { status: 'degraded', detail: `connected, but lost send answers cannot be verified: ${unusable}`, checkedAt };
      }
      return { status: 'up', checkedAt };
    },
  };
}

/** Whether Evolution may have carried out a request that failed this way. */
function mayHaveBeenSent(failure: EvolutionFailure): boolean {
  return failure.kind === 'timeout' || failure.kind === 'malformed' || (failure.kind === 'network' && failure.maybeDelivered);
}

function describe(failure: EvolutionFailure): string {
  switch (failure.kind) {
    case 'timeout':
      return `no answer within ${failure.timeoutMs} ms`;
    case 'malformed':
      return `answered ${failure.status} with an unexpected body`;
    case 'network':
      return `the connection failed${failure.code ? ` (${failure.code})` : ''}`;
    case 'http':
      return `answered ${failure.status}`;
    case 'too_large':
      return 'the answer was too large';
  }
}

function describeState(state: string): string {
  switch (state) {
    case 'connecting':
      return 'connecting (waiting for the QR code to be scanned, or reconnecting)';
    case 'close':
      return 'disconnected from WhatsApp';
    case 'refused':
      return 'refused by WhatsApp (logged out)';
    default:
      return `in state "${state}"`;
  }
}

/** Evolution's media type for a content type. */
export function mediaTypeOf(contentType: string): EvolutionMediaType {
  const type = contentType.toLowerCase();
  if (type.startsWith('image/')) return 'image';
  if (type.startsWith('video/')) return 'video';
  if (type.startsWith('audio/')) return 'audio';
  return 'document';
}

function earliest(...dates: readonly (Date | undefined)[]): Date | undefined {
  const present = dates.filter((date): date is Date => date !== undefined);
  if (present.length === 0) return undefined;
  return new Date(Math.min(...present.map((date) => date.getTime())));
}

function remember(uncertain: Map<string, Date>, key: string, since: Date): void {
  const known = uncertain.get(key);
  uncertain.delete(key);
  uncertain.set(key, known !== undefined && known < since ? known : since);
  if (uncertain.size > maxUncertainKeys) {
    const oldest = uncertain.keys().next().value;
    if (oldest !== undefined) uncertain.delete(oldest);
  }
}

/** Runs `fn` as a promise: a synchronous throw (bad input) becomes a rejection. */
async function settle<T>(fn: () => Promise<T>): Promise<T> {
  return await fn();
}

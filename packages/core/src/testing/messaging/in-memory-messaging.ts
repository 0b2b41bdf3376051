/**
 * `createInMemoryMessaging`: a `MessagingPort` that records what it "sends". It deduplicates
 * on `idempotencyKey` (`capabilities.idempotentSends`), reports per-instance health, and fails
 * like WhatsApp does: an instance that is down cannot send (retryable), a number that is not on
 * WhatsApp is a permanent `RecipientUnreachableError`. A call whose signal has aborted rejects
 * with an `AbortedError` and sends nothing.
 */
import { ProviderUnavailableError, RecipientUnreachableError, ValidationError } from '../../errors/index.js';
import { PhoneNumber } from '../../domain/identity/phone-number.js';
import type { Channel } from '../../domain/model/message.js';
import { throwIfAborted } from '../../ports/call-options.js';
import type { Clock } from '../../ports/clock/clock.js';
import type { PortHealth } from '../../ports/health.js';
import type { MessagingPort, SendResult } from '../../ports/messaging/messaging-port.js';
import { settle } from '../../internal/settle.js';

/** Options of `createInMemoryMessaging`. */
export interface InMemoryMessagingOptions {
  /** Stamps sends and health checks. */
  readonly clock: Clock;
  /** The channel this port serves (default `whatsapp`). */
  readonly channel?: Channel;
}

/** One accepted send. */
export interface SentMessageRecord {
  readonly instance: string;
  /** E.164 of the recipient. */
  readonly to: string;
  /** The text, or the caption of a media message (empty when it had none). */
  readonly text: string;
  readonly media?: { readonly contentType: string; readonly url?: string; readonly fileName?: string; readonly size?: number };
  readonly idempotencyKey: string;
  readonly providerMessageId: string;
  readonly at: Date;
}

/** Health of one channel instance. */
export type InstanceHealth = PortHealth['status'];

/** The in-memory `MessagingPort`, plus inspection and fault controls for tests. */
export interface InMemoryMessaging extends MessagingPort {
  /** Every accepted send, in order (a repeated idempotency key is not recorded twice). */
  readonly sent: readonly SentMessageRecord[];
  /** `down`: sends from `instance` fail (retryable) and health says so. `degraded` still sends. */
  setInstanceHealth(instance: string, status: InstanceHealth): void;
  /** Sends to this number fail with a permanent `RecipientUnreachableError`, as Evolution's `exists: false`. */
  markNotOnWhatsApp(phone: PhoneNumber | string): void;
  /** Forgets sends, idempotency keys, health and unreachable numbers. */
  clear(): void;
}

/** The `provider` name of the in-memory channel. */
export const inMemoryMessagingProvider = 'in-memory';

/** Creates an in-memory channel; every instance starts `up`. */
export function createInMemoryMessaging(options: InMemoryMessagingOptions): InMemoryMessaging {
  const { clock } = options;
  const sent: SentMessageRecord[] = [];
  const results = new Map<string, SendResult>();
  const health = new Map<string, InstanceHealth>();
  const notOnWhatsApp = new Set<string>();
  let counter = 0;

  const send = (input: {
    readonly instance: string;
    readonly to: PhoneNumber;
    readonly text: string;
    readonly idempotencyKey: string;
    readonly media?: SentMessageRecord['media'];
  }): SendResult => {
    if (input.instance.trim() === '') throw ValidationError.forField('instance', 'must not be empty');
    if (input.idempotencyKey.trim() === '') throw ValidationError.forField('idempotencyKey', 'must not be empty');
    if (health.get(input.instance) === 'down') {
      throw new ProviderUnavailableError({
        provider: inMemoryMessagingProvider,
        operation: 'send',
        message: `instance ${input.instance} is not connected`,
      });
    }
    const previous = results.get(input.idempotencyKey);
    if (previous !== undefined) return { ...previous, acceptedAt: new Date(previous.acceptedAt.getTime()) };
    if (notOnWhatsApp.has(input.to.e164)) {
      throw new RecipientUnreachableError({
        channel: options.channel ?? 'whatsapp',
        provider: inMemoryMessagingProvider,
        message: 'the recipient is not on WhatsApp',
      });
    }
    counter += 1;
    const result: SendResult = { providerMessageId: `INMEM${String(counter).padStart(8, '0')}`, acceptedAt: clock.now() };
    results.set(input.idempotencyKey, result);
    sent.push({
      instance: input.instance,
      to: input.to.e164,
      text: input.text,
      ...(input.media === undefined ? {} : { media: input.media }),
      idempotencyKey: input.idempotencyKey,
      providerMessageId: result.providerMessageId,
      at: result.acceptedAt,
    });
    return { ...result, acceptedAt: new Date(result.acceptedAt.getTime()) };
  };

  return {
    contractVersion: 'v1',
    provider: inMemoryMessagingProvider,
    channel: options.channel ?? 'whatsapp',
    capabilities: Object.freeze({ media: true, idempotentSends: true }),

    sendText: (input, options) =>
      settle(() => {
        throwIfAborted(options, { provider: inMemoryMessagingProvider, operation: 'sendText' });
        if (input.text.trim() === '') throw ValidationError.forField('text', 'must not be empty');
        return send({ instance: input.instance, to: input.to, text: input.text, idempotencyKey: input.idempotencyKey });
      }),

    sendMedia: (input, options) =>
      settle(() => {
        throwIfAborted(options, { provider: inMemoryMessagingProvider, operation: 'sendMedia' });
        const { media } = input;
        if (media.contentType.trim() === '') throw ValidationError.forField('media.contentType', 'must not be empty');
        if (media.url === undefined && media.data === undefined) throw ValidationError.forField('media', 'needs a url or the data');
        return send({
          instance: input.instance,
          to: input.to,
          text: input.caption ?? '',
          idempotencyKey: input.idempotencyKey,
          media: {
            contentType: media.contentType,
            ...(media.url === undefined ? {} : { url: media.url }),
            ...(media.fileName === undefined ? {} : { fileName: media.fileName }),
            ...(media.data === undefined ? {} : { size: media.data.byteLength }),
          },
        });
      }),

    health: (input, options) =>
      settle(() => {
        throwIfAborted(options, { provider: inMemoryMessagingProvider, operation: 'health' });
        const status = health.get(input.instance) ?? 'up';
        return { status, ...(status === 'up' ? {} : { detail: `instance ${input.instance} is ${status}` }), checkedAt: clock.now() };
      }),

    get sent() {
      return sent.map((record) => ({ ...record, at: new Date(record.at.getTime()) }));
    },
    setInstanceHealth: (instance, status) => {
      health.set(instance, status);
    },
    markNotOnWhatsApp: (phone) => {
      notOnWhatsApp.add(typeof phone === 'string' ? PhoneNumber.parse(phone).e164 : phone.e164);
    },
    clear: () => {
      sent.length = 0;
      results.clear();
      health.clear();
      notOnWhatsApp.clear();
    },
  };
}

/**
 * # MessagingPort v1
 *
 * A channel that delivers messages to a person: WhatsApp through Evolution API, or the
 * sandbox/in-memory channel. One port instance may serve several channel **instances** (one
 * WhatsApp number each); pacing and health are per instance.
 *
 * Contract:
 * - Every send carries an `idempotencyKey` (the scheduled-message id). Adapters whose provider
 *   can deduplicate (`capabilities.idempotentSends`) return the first send's result for a
 *   repeated key instead of sending again; the others rely on the dispatcher's claims.
 * - Resolves with the provider's message id once the provider **accepted** the message.
 * - Permanent failures (the number is not on WhatsApp, a malformed request) throw a
 *   non-retryable `SdrError` (`ValidationError` or `ProviderError` with `retryable: false`);
 *   transient ones (timeouts, 5xx, 429) a retryable one (`RateLimitedError` carries Retry-After).
 * - `health` reports `down` when the instance cannot send (Evolution connection state not `open`).
 * - Every method takes `CallOptions` last; an aborted signal rejects with `AbortedError`.
 */
import type { CallOptions } from '../call-options.js';
import type { PhoneNumber } from '../../domain/identity/phone-number.js';
import type { Channel } from '../../domain/model/message.js';
import type { PortHealth, ProviderOptions } from '../health.js';

export interface SendTextInput {
  /** The channel instance (WhatsApp number) to send from. */
  readonly instance: string;
  readonly to: PhoneNumber;
  readonly text: string;
  /** Unique per logical message: the scheduled-message id, or a caller-chosen id. */
  readonly idempotencyKey: string;
  readonly providerOptions?: ProviderOptions;
}

export interface SendMediaInput extends Omit<SendTextInput, 'text'> {
  readonly media: {
    readonly contentType: string;
    /** A public URL, or the bytes. */
    readonly url?: string;
    readonly data?: Uint8Array;
    readonly fileName?: string;
  };
  readonly caption?: string;
}

export interface SendResult {
  readonly providerMessageId: string;
  readonly acceptedAt: Date;
}

export interface MessagingCapabilities {
  readonly media: boolean;
  /** A repeated `idempotencyKey` returns the first result without sending again. */
  readonly idempotentSends: boolean;
}

/**
 * A channel delivering messages to a person (WhatsApp through Evolution API, the sandbox or
 * in-memory channel). One instance of the port may serve several channel **instances** (one
 * WhatsApp number each); pacing and health are per instance. Every method takes `CallOptions`
 * last: an aborted signal rejects with an `AbortedError` and sends nothing.
 */
export interface MessagingPort {
  readonly contractVersion: 'v1';
  readonly provider: string;
  readonly channel: Channel;
  readonly capabilities: MessagingCapabilities;

  /**
   * Sends a text; resolves with the provider's message id once the provider **accepted** it. With
   * `capabilities.idempotentSends`, a repeated `idempotencyKey` returns the first send's result
   * without sending again. Permanent failures (the number is not on WhatsApp, a malformed request)
   * throw a non-retryable `SdrError`; transient ones (timeouts, 5xx, 429) a retryable one
   * (`RateLimitedError` carries Retry-After).
   */
  sendText(input: SendTextInput, options?: CallOptions): Promise<SendResult>;

  /** Sends a media message, with the same contract as `sendText`. Requires `capabilities.media`; otherwise a `ValidationError`. */
  sendMedia(input: SendMediaInput, options?: CallOptions): Promise<SendResult>;

  /** Whether `instance` can send now: `down` when it cannot (Evolution connection state not `open`). */
  health(input: { readonly instance: string }, options?: CallOptions): Promise<PortHealth>;
}

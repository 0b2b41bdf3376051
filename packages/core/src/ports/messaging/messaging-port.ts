// The MessagingPort v1 contract is documented on the `MessagingPort` interface below, where the API reference shows it.
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
  /**
   * Which attempt of this logical message this is, when the caller retries it (the dispatcher
   * retrying a row with the same idempotency key). `firstAttemptAt` bounds the time window in
   * which an earlier attempt could have been delivered. Absent: the first attempt.
   */
  readonly attempt?: SendAttempt;
  readonly providerOptions?: ProviderOptions;
}

/** The attempt a send belongs to (see `SendTextInput.attempt`). */
export interface SendAttempt {
  /** 1 for the first attempt. */
  readonly number: number;
  /** When the first attempt started: an earlier attempt can only have gone out after it. */
  readonly firstAttemptAt: Date;
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
 * A channel that delivers messages to a person: WhatsApp through Evolution API, or the
 * sandbox/in-memory channel. One port instance may serve several channel **instances** (one
 * WhatsApp number each); pacing and health are per instance.
 *
 * Contract:
 * - Every send carries an `idempotencyKey` (the scheduled-message id). Adapters whose provider
 *   can deduplicate (`capabilities.idempotentSends`) return the first send's result for a
 *   repeated key instead of sending again; the others rely on the dispatcher's claims.
 * - Resolves with the provider's message id once the provider **accepted** the message.
 * - Permanent failures throw a non-retryable `SdrError`: a recipient the channel cannot reach at
 *   all (the number is not on WhatsApp) a `RecipientUnreachableError`, which the dispatcher
 *   recognises to mark the lead unreachable; a malformed request a `ValidationError` or a
 *   `ProviderError` with `retryable: false`. Transient ones (timeouts, 5xx, 429) a retryable one
 *   (`RateLimitedError` carries Retry-After).
 * - A send that is tried again (`attempt.number > 1`) may already have gone out: the provider
 *   can have accepted the first attempt and the answer been lost. Adapters that can look up what
 *   was sent (Evolution's message store) check first and return the earlier message's id instead
 *   of sending it twice; the others send again.
 * - `health` reports `down` when the instance cannot send (Evolution connection state not `open`).
 * - Every method takes `CallOptions` last; an aborted signal rejects with `AbortedError`.
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

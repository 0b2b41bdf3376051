/**
 * How the one dispatcher (SPEC §4.6) serves every kind of scheduled message: each domain area
 * registers a `DispatchHandler` for its kinds (follow-ups and reminders; billing steps). The
 * dispatcher owns claiming, pacing, channel health, business-hours deferral, retries and the
 * row's status; the handler owns what is specific to its kinds — re-validation just before the
 * send, the text, the recipient, and what happens once a message is settled.
 */
import type { PhoneNumber } from '../identity/phone-number.js';
import type { ScheduledKind, ScheduledMessage, SkipReason, StoredError } from '../model/scheduled-message.js';
import type { Tenant } from '../model/tenant.js';
import type { Store } from '../../ports/repositories/repositories.js';

export interface DispatchContext {
  readonly now: Date;
  readonly tenant: Tenant;
  readonly store: Store;
}

/** What to do with a claimed message, decided by its handler just before sending. */
export type DispatchDecision =
  | {
      readonly action: 'send';
      readonly to: PhoneNumber;
      readonly text: string;
      /** The channel instance to send from (the tenant's WhatsApp instance). */
      readonly instance: string;
      /** `respect`: outside business hours the dispatcher re-queues it at the next opening. */
      readonly businessHours: 'respect' | 'ignore';
    }
  /** Not sent, for good: the row becomes `skipped` with the reason. */
  | { readonly action: 'skip'; readonly reason: SkipReason }
  /** Not now: back to `pending` at `until`, without counting an attempt. */
  | { readonly action: 'defer'; readonly until: Date; readonly reason: string }
  /** No message: the handler's `perform` does the work (e.g. `give_up` moves the stage). */
  | { readonly action: 'perform'; readonly businessHours: 'respect' | 'ignore' };

/** The final state a message reached, reported to its handler. */
export type DispatchOutcome =
  | { readonly status: 'sent'; readonly providerMessageId: string | null; readonly text: string; readonly at: Date }
  | { readonly status: 'performed'; readonly at: Date }
  | { readonly status: 'skipped'; readonly reason: SkipReason; readonly at: Date }
  | { readonly status: 'failed'; readonly error: StoredError; readonly at: Date };

export interface DispatchHandler {
  /** The kinds this handler serves; each kind has exactly one handler. */
  readonly kinds: readonly ScheduledKind[];

  /** Re-validates the message against the current state and decides. Must not send anything. */
  prepare(message: ScheduledMessage, context: DispatchContext): Promise<DispatchDecision>;

  /** Runs a `perform` decision. Must be idempotent: a crash may run it twice. */
  perform?(message: ScheduledMessage, context: DispatchContext): Promise<void>;

  /**
   * Called once the message reached a final state (after the row was updated). Records the
   * outbound message, schedules what follows, completes a billing cycle… Must be idempotent.
   */
  onSettled?(message: ScheduledMessage, outcome: DispatchOutcome, context: DispatchContext): Promise<void>;
}

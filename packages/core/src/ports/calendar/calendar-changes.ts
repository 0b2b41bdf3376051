/**
 * # CalendarPort v1: change tracking (optional)
 *
 * How the host sees what people change in the calendar itself — an event of ours deleted or
 * moved, another meeting added — without polling whole ranges. Providers that can do it
 * implement these optional methods of `CalendarPort`; callers check that they are present.
 *
 * Contract:
 * - `listChanges` without a `syncToken` is a full sync: every event of the calendar, then a
 *   `nextSyncToken`. With one, only what changed since the token was issued. Deleted events come
 *   back as `deleted` (their times may be unknown). All pages are read before it resolves.
 * - A token the provider no longer accepts (Google's 410) rejects with
 *   `CalendarSyncTokenExpiredError`: drop the token and run a full sync.
 * - `watch` opens a push channel: the provider POSTs to `address` with the channel id and `token`
 *   when the calendar changes (the notification carries no change: run `listChanges`). Channels
 *   cannot be renewed: open a new one before `expiresAt`, then `stopWatch` the old one.
 *   `stopWatch` of a channel that is already gone resolves.
 * - Every method takes `CallOptions` last; an aborted signal rejects with an `AbortedError`.
 */
import { ConflictError, type SdrErrorOptions } from '../../errors/index.js';
import type { CallOptions } from '../call-options.js';
import type { CalendarEvent } from './calendar-port.js';

/** One change of a calendar. */
export type CalendarChange =
  | { readonly kind: 'changed'; readonly event: CalendarEvent }
  | { readonly kind: 'deleted'; readonly eventId: string; readonly privateProperties: Readonly<Record<string, string>> };

/** What `listChanges` returns: the changes and the token of the next incremental sync. */
export interface CalendarChangeSet {
  readonly changes: readonly CalendarChange[];
  readonly nextSyncToken: string;
}

/** A push channel as the provider opened it. */
export interface CalendarWatchChannel {
  readonly channelId: string;
  /** The provider's id of the watched resource; `stopWatch` needs it. */
  readonly resourceId: string;
  /** When the provider stops sending; `null` when it did not say. */
  readonly expiresAt: Date | null;
}

/** Input of `watch`. */
export interface CalendarWatchInput {
  readonly calendarId: string;
  /** Our id of the channel (a UUID; Google allows up to 64 characters). */
  readonly channelId: string;
  /** The HTTPS URL notifications are POSTed to. */
  readonly address: string;
  /** A secret echoed in every notification (Google's `X-Goog-Channel-Token`). */
  readonly token: string;
  /** Asked lifetime; the provider may grant less (read `expiresAt`). */
  readonly ttlSeconds?: number;
}

/** The optional change-tracking methods of a `CalendarPort` (see the module comment). */
export interface CalendarChangeTracking {
  /** Changes since `syncToken` (all events without one); `CalendarSyncTokenExpiredError` when the token is no longer accepted. */
  listChanges?(
    input: { readonly calendarId: string; readonly syncToken?: string | null },
    options?: CallOptions,
  ): Promise<CalendarChangeSet>;
  /** Opens a push channel on the calendar's events. */
  watch?(input: CalendarWatchInput, options?: CallOptions): Promise<CalendarWatchChannel>;
  /** Stops a push channel; resolves when it is already gone. */
  stopWatch?(input: { readonly channelId: string; readonly resourceId: string }, options?: CallOptions): Promise<void>;
}

/** The provider no longer accepts the sync token: drop it and run a full sync (`listChanges` without one). */
export class CalendarSyncTokenExpiredError extends ConflictError {
  static override readonly kind: string = 'CalendarSyncTokenExpiredError';

  constructor(calendarId: string, options: SdrErrorOptions = {}) {
    super(`the sync token of calendar ${calendarId} expired; run a full sync`, { ...options, retryable: false });
  }
}

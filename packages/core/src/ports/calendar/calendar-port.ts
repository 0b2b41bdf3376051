// The CalendarPort v1 contract is documented on the `CalendarPort` interface below, where the API reference shows it.
import type { CallOptions } from '../call-options.js';
import type { PortHealth, ProviderOptions } from '../health.js';
import type { CalendarChangeTracking } from './calendar-changes.js';

export interface BusyInterval {
  readonly start: Date;
  readonly end: Date;
}

export interface CalendarEvent {
  readonly calendarId: string;
  readonly eventId: string;
  readonly start: Date;
  readonly end: Date;
  readonly summary: string;
  readonly description: string | null;
  readonly status: 'confirmed' | 'tentative' | 'cancelled';
  /** Private key/value properties (Google `extendedProperties.private`): holds the appointment id. */
  readonly privateProperties: Readonly<Record<string, string>>;
  /** A video-meeting link when the provider created one. */
  readonly conferenceUrl: string | null;
}

export interface CreateCalendarEventInput {
  readonly calendarId: string;
  /** Caller-chosen id, lowercase base32hex (`0-9a-v`), 5–1024 characters. */
  readonly eventId: string;
  readonly start: Date;
  readonly end: Date;
  readonly summary: string;
  readonly description?: string;
  readonly attendees?: readonly { readonly email: string; readonly name?: string }[];
  readonly privateProperties?: Readonly<Record<string, string>>;
  /** Ask for a video-meeting link when the provider supports it (`capabilities.conferencing`). */
  readonly conferencing?: boolean;
  readonly providerOptions?: ProviderOptions;
}

export interface UpdateCalendarEventInput {
  readonly calendarId: string;
  readonly eventId: string;
  readonly start?: Date;
  readonly end?: Date;
  readonly summary?: string;
  readonly description?: string;
  readonly providerOptions?: ProviderOptions;
}

export interface CalendarEventRef {
  readonly calendarId: string;
  readonly eventId: string;
}

export interface CalendarCapabilities {
  /** Can create a video-meeting link with the event. */
  readonly conferencing: boolean;
  /** Stores `privateProperties` and can find events by them. */
  readonly privateProperties: boolean;
}

/**
 * A calendar the booking engine reads free/busy from and writes meeting events to (Google
 * Calendar, or the sandbox/in-memory calendar).
 *
 * Contract:
 * - Instants are UTC `Date`s in and out; all-day busy blocks come back as the instants they cover.
 * - `createEvent` takes the event id from the caller (derived from the appointment UUID, see
 *   `calendarEventIdFor`). Creating an id that already exists — live **or deleted** — throws
 *   `DuplicateError`; the caller then reads it with `getEvent`. Nothing else is created.
 * - `getEvent` returns `null` only when the id never existed; a deleted event is returned with
 *   `status: 'cancelled'`.
 * - `deleteEvent` of an event that is already deleted or never existed resolves `{ deleted: false }`
 *   (Google's 410/404): deleting is idempotent.
 * - `updateEvent` of an unknown or deleted event throws `NotFoundError`.
 * - Failures throw `SdrError`s: `ProviderError` (with `retryable`), `ProviderUnavailableError`,
 *   `RateLimitedError`, `AuthError`. "Not found" is never reported as a failure, nor the reverse.
 * - `freeBusy` reports busy intervals of **other** events too (it is the calendar's truth); a
 *   calendar the provider reports an error for (Google's per-calendar `errors[]`) throws.
 * - Every method takes `CallOptions` last; an aborted signal rejects with `AbortedError`.
 * - Change tracking (`listChanges`, `watch`, `stopWatch`) is optional: see `calendar-changes.ts`.
 */
export interface CalendarPort extends CalendarChangeTracking {
  readonly contractVersion: 'v1';
  /** Provider name for logs and errors (`google-calendar`, `in-memory`). */
  readonly provider: string;
  readonly capabilities: CalendarCapabilities;

  /**
   * Busy intervals of `calendarId` overlapping `[timeMin, timeMax)`, in time order — those of
   * **other** events too (it is the calendar's truth); all-day blocks come back as the instants
   * they cover. A calendar the provider reports an error for (Google's per-calendar `errors[]`)
   * throws.
   */
  freeBusy(
    input: { readonly calendarId: string; readonly timeMin: Date; readonly timeMax: Date },
    options?: CallOptions,
  ): Promise<BusyInterval[]>;

  /**
   * Creates the event with the caller's id (derived from the appointment UUID, see
   * `calendarEventIdFor`). An id that already exists — live **or deleted** — throws
   * `DuplicateError` and creates nothing; the caller then reads it with `getEvent`.
   */
  createEvent(input: CreateCalendarEventInput, options?: CallOptions): Promise<CalendarEvent>;

  /** The event, including a deleted one (`status: 'cancelled'`); `null` only when the id never existed. */
  getEvent(ref: CalendarEventRef, options?: CallOptions): Promise<CalendarEvent | null>;

  /** Patches a live event; `NotFoundError` when it does not exist or was deleted. */
  updateEvent(input: UpdateCalendarEventInput, options?: CallOptions): Promise<CalendarEvent>;

  /**
   * Deletes an event. Idempotent: an event already deleted or that never existed resolves
   * `{ deleted: false }` (Google's 410/404).
   */
  deleteEvent(ref: CalendarEventRef, options?: CallOptions): Promise<{ readonly deleted: boolean }>;

  /** Live (non-cancelled) events overlapping `[timeMin, timeMax)`, for consistency checks. */
  listEvents(
    input: { readonly calendarId: string; readonly timeMin: Date; readonly timeMax: Date },
    options?: CallOptions,
  ): Promise<CalendarEvent[]>;

  /** Whether the calendar can be used now; reports `down` rather than throwing — except an `AbortedError` for an aborted signal. */
  health(options?: CallOptions): Promise<PortHealth>;
}

/**
 * `createGoogleCalendar`: the `CalendarPort` on Google Calendar v3, through Google's generated
 * client (`@googleapis/calendar`) with its own retries off.
 *
 * - Free/busy is never guessed: a calendar that `freebusy.query` reports `errors[]` for — on an
 *   HTTP 200 — throws, so booking refuses instead of double-booking.
 * - Events are created with the caller's id. When this adapter's own retry of an insert (after a
 *   timeout or a 5xx that may hide a success) meets a 409, the event is read and adopted if it
 *   carries the same private properties (it is ours); any other 409 is a `DuplicateError`.
 * - Insert, patch, free/busy and reads are retried under one policy (`google-calendar-errors.ts`).
 */
import {
  DuplicateError,
  NotFoundError,
  ProviderError,
  systemClock,
  throwIfAborted,
  type CalendarEvent,
  type CalendarPort,
  type CallOptions,
  type Clock,
  type PortHealth,
  type ProviderOptions,
  type RetryPolicy,
} from '@sdr/core';
import { calendar as googleCalendarClient, type calendar_v3 } from '@googleapis/calendar';
import { z } from 'zod';
import { createGoogleAccessTokens, type GoogleCalendarAuth, type GoogleTokenPersistence } from './google-auth.js';
import { googleEventListSchema, googleEventSchema, googleFreeBusySchema, type GoogleEvent } from './google-calendar-api.js';
import { createGoogleCalendarChanges, type GoogleCalendarChanges } from './google-calendar-changes.js';
import { defaultGoogleCalendarRetryPolicy, googleCalendarProvider } from './google-calendar-errors.js';
import { createGoogleRequestRunner, withGoogleRetry, type GoogleRequestRunner } from './google-calendar-http.js';
import { carriesProperties, googleEventInsertBody, googleEventPatchBody, mapBusy, mapGoogleEvent } from './map-google-calendar-event.js';

/** Google's API host. */
export const defaultGoogleRootUrl = 'https://www.googleapis.com/';

/** Who Google e-mails about created, moved and deleted events. */
export type GoogleSendUpdates = 'all' | 'externalOnly' | 'none';

/** Options of `createGoogleCalendar`. */
export interface GoogleCalendarOptions {
  readonly auth: GoogleCalendarAuth;
  /** The calendar `health` checks (the one the integration books into). Default `primary`. */
  readonly calendarId?: string;
  /** Another API host (a proxy, a fake). Default `https://www.googleapis.com/`. */
  readonly rootUrl?: string;
  /** Another token endpoint. Default `https://oauth2.googleapis.com/token`. */
  readonly tokenUrl?: string;
  /**
   * Who Google notifies of changes (default `none`: the product sends its own messages). One call
   * may ask otherwise with `providerOptions.googleCalendar.sendUpdates`.
   */
  readonly sendUpdates?: GoogleSendUpdates;
  /** Add a Google Meet link to every event (also asked per event with `conferencing`). */
  readonly conference?: boolean;
  /** Where refreshed OAuth tokens are shared between processes. */
  readonly tokenPersistence?: GoogleTokenPersistence;
  readonly fetch?: typeof globalThis.fetch;
  readonly clock?: Clock;
  /** Per request (default 10 s). */
  readonly requestTimeoutMs?: number;
  readonly retryPolicy?: RetryPolicy;
}

/** The Google `CalendarPort`, with change tracking and push channels. */
export type GoogleCalendar = CalendarPort & GoogleCalendarChanges;

const eventResource = (eventId: string) => ({ kind: 'calendar event', id: eventId });
const anything = z.unknown();

/** Creates the port; no I/O until a method is called. */
export function createGoogleCalendar(options: GoogleCalendarOptions): GoogleCalendar {
  const clock = options.clock ?? systemClock;
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const policy = options.retryPolicy ?? defaultGoogleCalendarRetryPolicy;
  const sendUpdates = options.sendUpdates ?? 'none';
  const healthCalendarId = options.calendarId ?? 'primary';
  // Resolved at call time, so that a fetch replaced after creation (msw in tests) is the one used.
  const fetchImplementation: typeof globalThis.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const tokens = createGoogleAccessTokens({
    auth: options.auth,
    tokenUrl: options.tokenUrl,
    fetch: fetchImplementation,
    clock,
    timeoutMs,
    persistence: options.tokenPersistence,
  });
  const api = googleCalendarClient({
    version: 'v3',
    rootUrl: normaliseRootUrl(options.rootUrl ?? defaultGoogleRootUrl),
    retry: false,
    fetchImplementation,
  });
  const runner = createGoogleRequestRunner({ tokens, clock, timeoutMs });
  const retried = <T>(operation: string, call: CallOptions | undefined, run: (attempt: number) => Promise<T>) =>
    withGoogleRetry(run, { clock, policy, operation, options: call });

  const readEvent = async (calendarId: string, eventId: string, call: CallOptions | undefined): Promise<CalendarEvent | null> => {
    const answer = await runner.send(
      {
        operation: 'getEvent',
        schema: googleEventSchema,
        run: (request) => api.events.get({ calendarId, eventId }, request),
        accept: (failure) => failure.kind === 'http' && failure.status === 404,
      },
      call,
    );
    return answer.kind === 'accepted' ? null : mapped(calendarId, answer.data, 'getEvent');
  };

  const port: CalendarPort = {
    contractVersion: 'v1',
    provider: googleCalendarProvider,
    capabilities: Object.freeze({ conferencing: true, privateProperties: true }),

    freeBusy: (input, call) =>
      retried('freeBusy', call, async () => {
        const data = await runner.data(
          {
            operation: 'freeBusy',
            schema: googleFreeBusySchema,
            run: (request) =>
              api.freebusy.query(
                {
                  requestBody: {
                    timeMin: input.timeMin.toISOString(),
                    timeMax: input.timeMax.toISOString(),
                    items: [{ id: input.calendarId }],
                  },
                },
                request,
              ),
          },
          call,
        );
        const entry = data.calendars?.[input.calendarId];
        const reasons = (entry?.errors ?? []).map((error) => error.reason ?? 'unknown');
        if (entry === undefined || reasons.length > 0) {
          // A calendar Google could not read is not a free calendar: never guess.
          throw new ProviderError({
            provider: googleCalendarProvider,
            operation: 'freeBusy',
            status: 200,
            message: `Google reported no free/busy for the calendar (${entry === undefined ? 'calendar missing from the answer' : reasons.join(', ')})`,
            retryable: reasons.length > 0 && reasons.every((reason) => reason === 'backendError' || reason === 'internalError'),
            details: { reasons },
          });
        }
        return mapBusy(entry.busy ?? []);
      }),

    createEvent: (input, call) =>
      retried('createEvent', call, async (attempt) => {
        const conference = input.conferencing === true || options.conference === true;
        const answer = await runner.send(
          {
            operation: 'createEvent',
            schema: googleEventSchema,
            resource: eventResource(input.eventId),
            run: (request) =>
              api.events.insert(
                {
                  calendarId: input.calendarId,
                  sendUpdates: sendUpdatesFor(input.providerOptions, sendUpdates),
                  ...(conference ? { conferenceDataVersion: 1 } : {}),
                  requestBody: googleEventInsertBody(input, conference),
                },
                request,
              ),
            accept: (failure) => failure.kind === 'http' && failure.status === 409 && attempt > 1,
          },
          call,
        );
        if (answer.kind === 'ok') return mapped(input.calendarId, answer.data, 'createEvent');
        // Our earlier attempt may have created it before its answer was lost: adopt it only if it is ours.
        const existing = await readEvent(input.calendarId, input.eventId, call);
        if (existing !== null && existing.status !== 'cancelled' && carriesProperties(existing, input.privateProperties)) return existing;
        throw new DuplicateError('calendar event', input.eventId, { details: { status: 409 } });
      }),

    getEvent: (ref, call) => retried('getEvent', call, () => readEvent(ref.calendarId, ref.eventId, call)),

    updateEvent: (input, call) =>
      retried('updateEvent', call, async () => {
        const data = await runner.data(
          {
            operation: 'updateEvent',
            schema: googleEventSchema,
            resource: eventResource(input.eventId),
            run: (request) =>
              api.events.patch(
                {
                  calendarId: input.calendarId,
                  eventId: input.eventId,
                  sendUpdates: sendUpdatesFor(input.providerOptions, sendUpdates),
                  requestBody: googleEventPatchBody(input),
                },
                request,
              ),
          },
          call,
        );
        const event = mapped(input.calendarId, data, 'updateEvent');
        if (event.status === 'cancelled') throw new NotFoundError('calendar event', input.eventId, { details: { status: 'cancelled' } });
        return event;
      }),

    deleteEvent: (ref, call) =>
      retried('deleteEvent', call, async () => {
        const answer = await runner.send(
          {
            operation: 'deleteEvent',
            schema: anything,
            run: (request) => api.events.delete({ calendarId: ref.calendarId, eventId: ref.eventId, sendUpdates }, request),
            // 410: already deleted; 404: never existed. Deleting is idempotent.
            accept: (failure) => failure.kind === 'http' && (failure.status === 404 || failure.status === 410),
          },
          call,
        );
        return { deleted: answer.kind === 'ok' };
      }),

    listEvents: (input, call) =>
      retried('listEvents', call, async () => {
        const events: CalendarEvent[] = [];
        let pageToken: string | undefined;
        do {
          const page = await listPage(
            runner,
            api,
            { calendarId: input.calendarId, timeMin: input.timeMin, timeMax: input.timeMax, pageToken },
            call,
          );
          for (const item of page.items ?? []) {
            const event = mapped(input.calendarId, item, 'listEvents');
            if (event.status !== 'cancelled') events.push(event);
          }
          pageToken = page.nextPageToken ?? undefined;
        } while (pageToken !== undefined);
        return events;
      }),

    async health(call): Promise<PortHealth> {
      throwIfAborted(call, { provider: googleCalendarProvider, operation: 'health' });
      try {
        await runner.data(
          { operation: 'health', schema: anything, run: (request) => api.calendars.get({ calendarId: healthCalendarId }, request) },
          call,
        );
        return { status: 'up', checkedAt: clock.now() };
      } catch (error) {
        throwIfAborted(call, { provider: googleCalendarProvider, operation: 'health' });
        return { status: 'down', detail: error instanceof Error ? error.message : 'unknown failure', checkedAt: clock.now() };
      }
    },
  };
  return { ...port, ...createGoogleCalendarChanges({ api, runner, retried }) };
}

/** The port's event, or a retryable `ProviderError` when Google's answer has no readable times. */
export function mapped(calendarId: string, event: GoogleEvent, operation: string): CalendarEvent {
  const result = mapGoogleEvent(calendarId, event);
  if (result === null) {
    throw new ProviderError({
      provider: googleCalendarProvider,
      operation,
      message: 'answered an event without readable start/end',
      retryable: true,
    });
  }
  return result;
}

/** One page of `events.list` over a time range. */
async function listPage(
  runner: GoogleRequestRunner,
  api: calendar_v3.Calendar,
  input: { readonly calendarId: string; readonly timeMin: Date; readonly timeMax: Date; readonly pageToken: string | undefined },
  call: CallOptions | undefined,
) {
  return runner.data(
    {
      operation: 'listEvents',
      schema: googleEventListSchema,
      run: (request) =>
        api.events.list(
          {
            calendarId: input.calendarId,
            timeMin: input.timeMin.toISOString(),
            timeMax: input.timeMax.toISOString(),
            singleEvents: true,
            orderBy: 'startTime',
            maxResults: 2500,
            ...(input.pageToken === undefined ? {} : { pageToken: input.pageToken }),
          },
          request,
        ),
    },
    call,
  );
}

const sendUpdatesValues: readonly string[] = ['all', 'externalOnly', 'none'] satisfies GoogleSendUpdates[];

/** `providerOptions.googleCalendar.sendUpdates` of one call when it is a valid value, else the configured one. */
export function sendUpdatesFor(providerOptions: ProviderOptions | undefined, configured: GoogleSendUpdates): GoogleSendUpdates {
  const asked = providerOptions?.googleCalendar?.sendUpdates;
  return typeof asked === 'string' && sendUpdatesValues.includes(asked) ? (asked as GoogleSendUpdates) : configured;
}

/** The root URL with exactly one trailing slash (the client joins paths onto it). */
export function normaliseRootUrl(rootUrl: string): string {
  return `${rootUrl.replace(/\/+$/, '')}/`;
}

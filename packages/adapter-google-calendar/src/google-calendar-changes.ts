/**
 * Change tracking on Google Calendar: incremental sync with `syncToken` (`events.list` with
 * deleted events shown; a 410 ⇒ `CalendarSyncTokenExpiredError`, the caller resyncs fully) and
 * push channels (`events.watch`, `channels.stop`). The push route and the sync worker are the
 * host's; this file only talks to Google.
 */
import {
  CalendarSyncTokenExpiredError,
  ProviderError,
  type CalendarChange,
  type CalendarChangeSet,
  type CalendarChangeTracking,
  type CallOptions,
} from '@sdr/core';
import type { calendar_v3 } from '@googleapis/calendar';
import { z } from 'zod';
import { googleChannelSchema, googleEventListSchema } from './google-calendar-api.js';
import { googleCalendarProvider } from './google-calendar-errors.js';
import type { GoogleRequestRunner } from './google-calendar-http.js';
import { mapGoogleEvent } from './map-google-calendar-event.js';

/** The change-tracking methods the Google port always has. */
export type GoogleCalendarChanges = Required<CalendarChangeTracking>;

/** Google's longest channel lifetime is not documented; this is what the adapter asks for by default (7 days). */
export const defaultWatchTtlSeconds = 7 * 24 * 3600;

export interface GoogleCalendarChangesInput {
  readonly api: calendar_v3.Calendar;
  readonly runner: GoogleRequestRunner;
  readonly retried: <T>(operation: string, call: CallOptions | undefined, run: (attempt: number) => Promise<T>) => Promise<T>;
}

/** The change-tracking half of the port. */
export function createGoogleCalendarChanges(input: GoogleCalendarChangesInput): GoogleCalendarChanges {
  const { api, runner, retried } = input;
  return {
    async listChanges(request, call): Promise<CalendarChangeSet> {
      const changes: CalendarChange[] = [];
      let pageToken: string | undefined;
      for (;;) {
        const page = await retried('listChanges', call, async () => {
          const answer = await runner.send(
            {
              operation: 'listChanges',
              schema: googleEventListSchema,
              run: (options) =>
                api.events.list(
                  {
                    calendarId: request.calendarId,
                    showDeleted: true,
                    singleEvents: true,
                    maxResults: 2500,
                    ...(request.syncToken ? { syncToken: request.syncToken } : {}),
                    ...(pageToken === undefined ? {} : { pageToken }),
                  },
                  options,
                ),
              accept: (failure) => failure.kind === 'http' && failure.status === 410,
            },
            call,
          );
          if (answer.kind === 'accepted') throw new CalendarSyncTokenExpiredError(request.calendarId);
          return answer.data;
        });
        for (const item of page.items ?? []) changes.push(changeOf(request.calendarId, item));
        if (page.nextPageToken) {
          pageToken = page.nextPageToken;
          continue;
        }
        if (!page.nextSyncToken) {
          throw new ProviderError({
            provider: googleCalendarProvider,
            operation: 'listChanges',
            message: 'the last page carried no nextSyncToken',
            retryable: true,
          });
        }
        return { changes, nextSyncToken: page.nextSyncToken };
      }
    },

    watch: (request, call) =>
      retried('watch', call, async () => {
        const data = await runner.data(
          {
            operation: 'watch',
            schema: googleChannelSchema,
            run: (options) =>
              api.events.watch(
                {
                  calendarId: request.calendarId,
                  requestBody: {
                    id: request.channelId,
                    type: 'web_hook',
                    address: request.address,
                    token: request.token,
                    params: { ttl: String(request.ttlSeconds ?? defaultWatchTtlSeconds) },
                  },
                },
                options,
              ),
          },
          call,
        );
        const expiration = data.expiration === undefined || data.expiration === null ? null : Number(data.expiration);
        return {
          channelId: data.id,
          resourceId: data.resourceId,
          expiresAt: expiration === null || Number.isNaN(expiration) ? null : new Date(expiration),
        };
      }),

    stopWatch: (request, call) =>
      retried('stopWatch', call, async () => {
        await runner.send(
          {
            operation: 'stopWatch',
            schema: z.unknown(),
            run: (options) => api.channels.stop({ requestBody: { id: request.channelId, resourceId: request.resourceId } }, options),
            // A channel already expired or stopped is what the caller wanted.
            accept: (failure) => failure.kind === 'http' && failure.status === 404,
          },
          call,
        );
      }),
  };
}

function changeOf(
  calendarId: string,
  item: z.output<typeof googleEventListSchema>['items'] extends (infer Item)[] | null | undefined ? Item : never,
): CalendarChange {
  const event = mapGoogleEvent(calendarId, item);
  if (event === null || event.status === 'cancelled') {
    return { kind: 'deleted', eventId: item.id, privateProperties: { ...item.extendedProperties?.private } };
  }
  return { kind: 'changed', event };
}

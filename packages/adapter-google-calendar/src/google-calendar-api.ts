/**
 * Zod schemas of what Google Calendar v3 answers, lenient (`.nullish()`) on every response
 * field: the generated client's types say what Google may send, these say what the adapter relies on.
 */
import { z } from 'zod';

/** `start` / `end` of an event: `dateTime` for timed events, `date` (YYYY-MM-DD) for all-day ones. */
export const googleEventTimeSchema = z.object({
  dateTime: z.string().nullish(),
  date: z.string().nullish(),
  timeZone: z.string().nullish(),
});

/** An event resource (the fields the port maps). */
export const googleEventSchema = z.object({
  id: z.string(),
  status: z.string().nullish(),
  summary: z.string().nullish(),
  description: z.string().nullish(),
  start: googleEventTimeSchema.nullish(),
  end: googleEventTimeSchema.nullish(),
  hangoutLink: z.string().nullish(),
  conferenceData: z
    .object({
      entryPoints: z.array(z.object({ entryPointType: z.string().nullish(), uri: z.string().nullish() })).nullish(),
    })
    .nullish(),
  extendedProperties: z.object({ private: z.record(z.string(), z.string()).nullish() }).nullish(),
  updated: z.string().nullish(),
});

/** An event as Google sent it. */
export type GoogleEvent = z.output<typeof googleEventSchema>;

/** One page of `events.list`. */
export const googleEventListSchema = z.object({
  items: z.array(googleEventSchema).nullish(),
  nextPageToken: z.string().nullish(),
  nextSyncToken: z.string().nullish(),
});

/** One error of a calendar in a `freebusy.query` answer (`notFound`, `backendError`, …). */
export const googleFreeBusyErrorSchema = z.object({ domain: z.string().nullish(), reason: z.string().nullish() });

/** `freebusy.query`'s answer: per calendar, busy intervals **or errors** — on an HTTP 200. */
export const googleFreeBusySchema = z.object({
  calendars: z
    .record(
      z.string(),
      z.object({
        busy: z.array(z.object({ start: z.string(), end: z.string() })).nullish(),
        errors: z.array(googleFreeBusyErrorSchema).nullish(),
      }),
    )
    .nullish(),
});

/** `events.watch`'s answer: the channel as Google opened it. */
export const googleChannelSchema = z.object({
  id: z.string(),
  resourceId: z.string(),
  resourceUri: z.string().nullish(),
  expiration: z.union([z.string(), z.number()]).nullish(),
});

/** Google's error body: `{ error: { code, message, errors: [{ domain, reason, message }], status } }`. */
export const googleErrorBodySchema = z.object({
  error: z.union([
    z.object({
      code: z.number().nullish(),
      message: z.string().nullish(),
      status: z.string().nullish(),
      errors: z.array(z.object({ domain: z.string().nullish(), reason: z.string().nullish(), message: z.string().nullish() })).nullish(),
    }),
    // The token endpoint answers `{ error: "invalid_grant", error_description }`.
    z.string(),
  ]),
  error_description: z.string().nullish(),
});

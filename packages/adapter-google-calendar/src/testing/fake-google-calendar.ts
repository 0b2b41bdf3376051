/**
 * A stateful fake of Google Calendar v3 and Google's token endpoint, as a Fetch API handler
 * (`handle(request) => Response`): mount it in msw for wire tests, or behind `node:http` for a
 * bench. It keeps events per calendar with Google's rules — a deleted event keeps its id
 * (insert ⇒ 409, delete ⇒ 410), a never-existing one is 404 — answers free/busy with per-calendar
 * `errors[]` for calendars marked unreadable, issues sync tokens (410 once expired), opens push
 * channels, and checks every bearer token against the ones its token endpoint issued.
 *
 * Faults are queued per operation: an error answer (status, body, headers), or a slow answer
 * given after the request took effect (a client timeout that hides a success).
 */
import { randomUUID } from 'node:crypto';

/** Options of `createFakeGoogleCalendar`. */
export interface FakeGoogleCalendarOptions {
  /** Base of the API (`rootUrl`). Default `https://calendar.fake.test/`. */
  readonly rootUrl?: string;
  /** The token endpoint. Default `https://oauth.fake.test/token`. */
  readonly tokenUrl?: string;
  /** The refresh tokens the token endpoint accepts (default `['refresh-token-1']`). */
  readonly refreshTokens?: readonly string[];
  /** Issue a new refresh token on every refresh and refuse the old one from then on (default false). */
  readonly rotateRefreshTokens?: boolean;
  /** Lifetime of issued access tokens in seconds (default 3600). */
  readonly tokenLifetimeSeconds?: number;
}

/** An event as the fake stores it (Google's resource shape). */
export interface FakeGoogleEvent {
  id: string;
  status: 'confirmed' | 'tentative' | 'cancelled';
  summary?: string;
  description?: string;
  start: { dateTime: string };
  end: { dateTime: string };
  attendees?: { email: string; displayName?: string }[];
  extendedProperties?: { private?: Record<string, string> };
  hangoutLink?: string;
  /** Sequence of the last change, for sync tokens. */
  changed: number;
}

/** A request as the fake received it. */
export interface FakeGoogleRequest {
  readonly method: string;
  /** The path below the API root, e.g. `calendar/v3/calendars/primary/events`, or `token`. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Headers;
  readonly body: unknown;
}

/** Which request a fault applies to: an operation name of the port (`insert`, `freeBusy`, `token`, …). */
export type FakeGoogleOperation = 'token' | 'freeBusy' | 'insert' | 'get' | 'patch' | 'delete' | 'list' | 'watch' | 'stop' | 'calendar';

/** A fault for the next request of an operation. */
export type FakeGoogleFault =
  | { readonly kind: 'status'; readonly status: number; readonly body?: unknown; readonly headers?: Record<string, string> }
  /** The request takes effect, then the answer comes after `delayMs` (longer than the client waits). */
  | { readonly kind: 'slow'; readonly delayMs: number };

/** The fake, with its state and controls. */
export interface FakeGoogleCalendar {
  readonly rootUrl: string;
  readonly tokenUrl: string;
  /** Every request received, in order. */
  readonly requests: FakeGoogleRequest[];
  handle(request: Request): Promise<Response>;
  /** Events of a calendar, deleted ones included. */
  events(calendarId: string): FakeGoogleEvent[];
  /** Makes `freebusy.query` report `errors: [{ reason }]` for the calendar (on a 200). */
  markUnreadable(calendarId: string, reason?: string): void;
  /** Queues a fault for the next request of `operation`. */
  failNext(operation: FakeGoogleOperation, fault: FakeGoogleFault): void;
  /** Changes made by a person in Google Calendar. */
  person: {
    deleteEvent(calendarId: string, eventId: string): void;
    moveEvent(calendarId: string, eventId: string, start: Date, end: Date): void;
    addEvent(calendarId: string, event: { readonly start: Date; readonly end: Date; readonly summary?: string }): string;
  };
  /** Makes every sync token issued so far answer 410. */
  expireSyncTokens(): void;
  /** Invalidates every access token issued so far (a revoked or expired token: 401). */
  revokeAccessTokens(): void;
  /** Open push channels by id. */
  readonly channels: Map<
    string,
    { readonly calendarId: string; readonly resourceId: string; readonly token: string; readonly address: string }
  >;
  reset(): void;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const googleError = (status: number, reason: string, message: string) =>
  json(status, { error: { code: status, message, errors: [{ domain: 'global', reason, message }] } });

/** Creates the fake with no events. */
export function createFakeGoogleCalendar(options: FakeGoogleCalendarOptions = {}): FakeGoogleCalendar {
  const rootUrl = options.rootUrl ?? 'https://calendar.fake.test/';
  const tokenUrl = options.tokenUrl ?? 'https://oauth.fake.test/token';
  const refreshTokens = new Set(options.refreshTokens ?? ['refresh-token-1']);
  const lifetime = options.tokenLifetimeSeconds ?? 3600;
  const requests: FakeGoogleRequest[] = [];
  const calendars = new Map<string, Map<string, FakeGoogleEvent>>();
  const unreadable = new Map<string, string>();
  const faults = new Map<FakeGoogleOperation, FakeGoogleFault[]>();
  const accessTokens = new Set<string>();
  const channels: FakeGoogleCalendar['channels'] = new Map();
  let sequence = 0;
  let syncEpoch = 0;

  const eventsOf = (calendarId: string) => {
    let events = calendars.get(calendarId);
    if (!events) {
      events = new Map();
      calendars.set(calendarId, events);
    }
    return events;
  };
  const touch = (event: FakeGoogleEvent) => {
    sequence += 1;
    event.changed = sequence;
  };
  const publicEvent = ({ changed: _changed, ...event }: FakeGoogleEvent) => ({ kind: 'calendar#event', ...event });
  const overlaps = (event: FakeGoogleEvent, min: string | null, max: string | null) =>
    (min === null || Date.parse(event.end.dateTime) > Date.parse(min)) &&
    (max === null || Date.parse(event.start.dateTime) < Date.parse(max));

  const operationOf = (method: string, parts: readonly string[]): FakeGoogleOperation | null => {
    // parts: calendar, v3, …
    const [, , first, calendarId, second, eventId, third] = parts;
    if (first === 'freeBusy' && method === 'POST') return 'freeBusy';
    if (first === 'channels' && calendarId === 'stop' && method === 'POST') return 'stop';
    if (first !== 'calendars' || calendarId === undefined) return null;
    if (second === undefined) return method === 'GET' ? 'calendar' : null;
    if (second !== 'events') return null;
    if (eventId === undefined) return method === 'POST' ? 'insert' : method === 'GET' ? 'list' : null;
    if (eventId === 'watch' && third === undefined && method === 'POST') return 'watch';
    if (method === 'GET') return 'get';
    if (method === 'PATCH') return 'patch';
    if (method === 'DELETE') return 'delete';
    return null;
  };

  const token = (body: URLSearchParams): Response => {
    const grant = body.get('grant_type');
    if (grant === 'refresh_token' && !refreshTokens.has(body.get('refresh_token') ?? '')) {
      return json(400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
    }
    if (grant !== 'refresh_token' && grant !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      return json(400, { error: 'unsupported_grant_type' });
    }
    const accessToken = `ya29.fake-${randomUUID()}`;
    accessTokens.add(accessToken);
    const answer = {
      access_token: accessToken,
      expires_in: lifetime,
      token_type: 'Bearer',
      scope: 'https://www.googleapis.com/auth/calendar',
    };
    if (grant !== 'refresh_token' || options.rotateRefreshTokens !== true) return json(200, answer);
    const rotated = `1//fake-rotated-${randomUUID()}`;
    refreshTokens.delete(body.get('refresh_token') ?? '');
    refreshTokens.add(rotated);
    return json(200, { ...answer, refresh_token: rotated });
  };

  const serve = (operation: FakeGoogleOperation, parts: readonly string[], query: URLSearchParams, body: unknown): Response => {
    const calendarId = decodeURIComponent(parts[3] ?? '');
    const eventId = decodeURIComponent(parts[5] ?? '');
    const record = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    switch (operation) {
      case 'token':
        return googleError(404, 'notFound', 'Unknown route');
      case 'calendar':
        return json(200, { kind: 'calendar#calendar', id: calendarId });
      case 'freeBusy': {
        const items = (record.items as { id: string }[] | undefined) ?? [];
        const min = String(record.timeMin);
        const max = String(record.timeMax);
        const result: Record<string, unknown> = {};
        for (const { id } of items) {
          const reason = unreadable.get(id);
          if (reason !== undefined) {
            result[id] = { busy: [], errors: [{ domain: 'global', reason }] };
            continue;
          }
          const busy = [...eventsOf(id).values()]
            .filter((event) => event.status !== 'cancelled' && overlaps(event, min, max))
            .map((event) => ({ start: event.start.dateTime, end: event.end.dateTime }))
            .sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
          result[id] = { busy };
        }
        return json(200, { kind: 'calendar#freeBusy', timeMin: min, timeMax: max, calendars: result });
      }
      case 'insert': {
        const events = eventsOf(calendarId);
        const id = String(record.id);
        if (events.has(id)) return googleError(409, 'duplicate', 'The requested identifier already exists.');
        const { conferenceData, ...rest } = record as Record<string, unknown> & { conferenceData?: unknown };
        const event = { ...(rest as unknown as FakeGoogleEvent), id, status: 'confirmed' as const, changed: 0 };
        if (conferenceData !== undefined && query.get('conferenceDataVersion') === '1')
          event.hangoutLink = `https://meet.google.com/${id.slice(0, 3)}-${id.slice(3, 7)}-${id.slice(7, 10)}`;
        touch(event);
        events.set(id, event);
        return json(200, publicEvent(event));
      }
      case 'get': {
        const event = eventsOf(calendarId).get(eventId);
        return event ? json(200, publicEvent(event)) : googleError(404, 'notFound', 'Not Found');
      }
      case 'patch': {
        const event = eventsOf(calendarId).get(eventId);
        if (!event) return googleError(404, 'notFound', 'Not Found');
        Object.assign(event, record);
        touch(event);
        return json(200, publicEvent(event));
      }
      case 'delete': {
        const event = eventsOf(calendarId).get(eventId);
        if (!event) return googleError(404, 'notFound', 'Not Found');
        if (event.status === 'cancelled') return googleError(410, 'deleted', 'Resource has been deleted');
        event.status = 'cancelled';
        touch(event);
        return new Response(null, { status: 204 });
      }
      case 'list':
        return list(calendarId, query);
      case 'watch': {
        const id = String(record.id);
        const resourceId = `resource-${calendarId}`;
        channels.set(id, { calendarId, resourceId, token: String(record.token), address: String(record.address) });
        const ttl = Number((record.params as { ttl?: string } | undefined)?.ttl ?? 604_800);
        return json(200, {
          kind: 'api#channel',
          id,
          resourceId,
          resourceUri: `${rootUrl}calendar/v3/calendars/${calendarId}/events`,
          expiration: String(Date.now() + Math.min(ttl, 604_800) * 1000),
        });
      }
      case 'stop': {
        const id = String(record.id);
        if (!channels.delete(id)) return googleError(404, 'notFound', `Channel '${id}' not found`);
        return new Response(null, { status: 204 });
      }
    }
  };

  const list = (calendarId: string, query: URLSearchParams): Response => {
    const events = [...eventsOf(calendarId).values()];
    const syncToken = query.get('syncToken');
    if (syncToken !== null) {
      const match = /^sync-(\d+)-(\d+)$/.exec(syncToken);
      if (!match || Number(match[1]) !== syncEpoch)
        return googleError(410, 'fullSyncRequired', 'Sync token is no longer valid, a full sync is required.');
      const since = Number(match[2]);
      const changed = events.filter((event) => event.changed > since);
      return json(200, {
        kind: 'calendar#events',
        items: changed.map((event) => (event.status === 'cancelled' ? { id: event.id, status: 'cancelled' } : publicEvent(event))),
        nextSyncToken: `sync-${syncEpoch}-${sequence}`,
      });
    }
    const showDeleted = query.get('showDeleted') === 'true';
    const items = events
      .filter((event) => (showDeleted || event.status !== 'cancelled') && overlaps(event, query.get('timeMin'), query.get('timeMax')))
      .sort((a, b) => Date.parse(a.start.dateTime) - Date.parse(b.start.dateTime))
      .map(publicEvent);
    return json(200, { kind: 'calendar#events', items, nextSyncToken: `sync-${syncEpoch}-${sequence}` });
  };

  const fake: FakeGoogleCalendar = {
    rootUrl,
    tokenUrl,
    requests,
    channels,
    async handle(request) {
      const url = new URL(request.url);
      const text = await request.text();
      const isToken = url.href.split('?')[0] === tokenUrl;
      const body: unknown = isToken ? Object.fromEntries(new URLSearchParams(text)) : text === '' ? undefined : JSON.parse(text);
      const path = isToken ? 'token' : (url.href.slice(rootUrl.length).split('?')[0] ?? '');
      requests.push({ method: request.method, path, query: url.searchParams, headers: request.headers, body });
      const parts = path.split('/');
      const operation = isToken ? 'token' : operationOf(request.method, parts);
      if (operation === null) return googleError(404, 'notFound', 'Unknown route');
      const fault = faults.get(operation)?.shift();
      if (fault?.kind === 'status')
        return fault.body === undefined
          ? new Response(null, { status: fault.status, ...(fault.headers ? { headers: fault.headers } : {}) })
          : json(fault.status, fault.body, fault.headers);
      if (operation === 'token') return token(new URLSearchParams(text));
      const bearer = request.headers.get('authorization')?.replace(/^Bearer /, '') ?? '';
      if (!accessTokens.has(bearer)) return googleError(401, 'authError', 'Invalid Credentials');
      const response = serve(operation, parts, url.searchParams, body);
      if (fault?.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      return response;
    },
    events: (calendarId) => [...eventsOf(calendarId).values()].map((event) => ({ ...event })),
    markUnreadable: (calendarId, reason = 'notFound') => void unreadable.set(calendarId, reason),
    failNext: (operation, fault) => void faults.set(operation, [...(faults.get(operation) ?? []), fault]),
    person: {
      deleteEvent(calendarId, eventId) {
        const event = eventsOf(calendarId).get(eventId);
        if (event && event.status !== 'cancelled') {
          event.status = 'cancelled';
          touch(event);
        }
      },
      moveEvent(calendarId, eventId, start, end) {
        const event = eventsOf(calendarId).get(eventId);
        if (!event) return;
        event.start = { dateTime: start.toISOString() };
        event.end = { dateTime: end.toISOString() };
        touch(event);
      },
      addEvent(calendarId, input) {
        const id = randomUUID().replace(/-/g, '');
        const event: FakeGoogleEvent = {
          id,
          status: 'confirmed',
          summary: input.summary ?? 'Busy',
          start: { dateTime: input.start.toISOString() },
          end: { dateTime: input.end.toISOString() },
          changed: 0,
        };
        touch(event);
        eventsOf(calendarId).set(id, event);
        return id;
      },
    },
    expireSyncTokens: () => void (syncEpoch += 1),
    revokeAccessTokens: () => accessTokens.clear(),
    reset() {
      requests.length = 0;
      calendars.clear();
      unreadable.clear();
      faults.clear();
      channels.clear();
    },
  };
  return fake;
}

/**
 * Change tracking on the wire: a full sync then incremental ones with the sync token (people's
 * deletes, moves and new events seen), a 410 as `CalendarSyncTokenExpiredError`, push channels
 * opened and stopped.
 */
import { randomUUID } from 'node:crypto';
import { CalendarSyncTokenExpiredError } from '@sdr/core';
import { describe, expect, it } from 'vitest';
import { at, eventId, portOn, rejection, requestsTo, useFakeGoogle } from './__fixtures__/msw-google.js';

const fake = useFakeGoogle();
const calendarId = 'primary';
const eventsPath = 'calendar/v3/calendars/primary/events';

describe('listChanges', () => {
  it('a full sync lists every event with deleted ones shown, then incremental syncs return what people changed', async () => {
    const port = portOn(fake);
    const ours = eventId();
    const moved = eventId();
    const appointmentId = randomUUID();
    await port.createEvent({
      calendarId,
      eventId: ours,
      start: at(10),
      end: at(11),
      summary: 'Demo',
      privateProperties: { appointmentId },
    });
    await port.createEvent({ calendarId, eventId: moved, start: at(12), end: at(13), summary: 'Other demo' });
    const full = await port.listChanges({ calendarId });
    expect(full.changes.map((change) => (change.kind === 'changed' ? change.event.eventId : change.eventId)).sort()).toEqual(
      [ours, moved].sort(),
    );
    const [fullRequest] = requestsTo(fake, 'GET', eventsPath);
    expect(Object.fromEntries(fullRequest?.query ?? [])).toEqual({ showDeleted: 'true', singleEvents: 'true', maxResults: '2500' });

    fake.person.deleteEvent(calendarId, ours);
    fake.person.moveEvent(calendarId, moved, at(15), at(16));
    const foreign = fake.person.addEvent(calendarId, { start: at(9), end: at(10) });
    const next = await port.listChanges({ calendarId, syncToken: full.nextSyncToken });
    expect(requestsTo(fake, 'GET', eventsPath)[1]?.query.get('syncToken')).toBe(full.nextSyncToken);
    expect(next.changes).toHaveLength(3);
    expect(next.changes).toContainEqual({ kind: 'deleted', eventId: ours, privateProperties: {} });
    const changed = next.changes.flatMap((change) => (change.kind === 'changed' ? [change.event] : []));
    expect(changed.find((event) => event.eventId === moved)?.start).toEqual(at(15));
    expect(changed.map((event) => event.eventId)).toContain(foreign);
    expect((await port.listChanges({ calendarId, syncToken: next.nextSyncToken })).changes).toEqual([]);
  });

  it('a 410 on a sync token is a CalendarSyncTokenExpiredError, not retried', async () => {
    const port = portOn(fake);
    const { nextSyncToken } = await port.listChanges({ calendarId });
    fake.expireSyncTokens();
    const error = await rejection(port.listChanges({ calendarId, syncToken: nextSyncToken }));
    expect(CalendarSyncTokenExpiredError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ retryable: false });
    expect(requestsTo(fake, 'GET', eventsPath)).toHaveLength(2);
  });
});

describe('watch and stopWatch', () => {
  it('opens a web_hook channel with the token and ttl, returns its expiration, and stops it', async () => {
    const port = portOn(fake);
    const channelId = randomUUID();
    const channel = await port.watch({
      calendarId,
      channelId,
      address: 'https://sdr.example.com/webhooks/google/calendar/t1',
      token: 'channel-secret',
      ttlSeconds: 3600,
    });
    expect(channel.channelId).toBe(channelId);
    expect(channel.resourceId).toBe('resource-primary');
    expect(channel.expiresAt).toBeInstanceOf(Date);
    const [watch] = requestsTo(fake, 'POST', `${eventsPath}/watch`);
    expect(watch?.body).toEqual({
      id: channelId,
      type: 'web_hook',
      address: 'https://sdr.example.com/webhooks/google/calendar/t1',
      token: 'channel-secret',
      params: { ttl: '3600' },
    });
    await port.stopWatch({ channelId, resourceId: channel.resourceId });
    expect(requestsTo(fake, 'POST', 'calendar/v3/channels/stop')[0]?.body).toEqual({ id: channelId, resourceId: 'resource-primary' });
    expect(fake.channels.size).toBe(0);
  });

  it('stopping a channel that is already gone (404) resolves', async () => {
    const port = portOn(fake);
    await expect(port.stopWatch({ channelId: randomUUID(), resourceId: 'resource-primary' })).resolves.toBeUndefined();
  });
});

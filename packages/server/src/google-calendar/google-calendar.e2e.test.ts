/**
 * Google Calendar in the real server over PostgreSQL, with the fake Google Calendar behind msw
 * (`onUnhandledRequest: 'error'` for everything but this test's own calls to the server on the
 * loopback): the tenant configures Google through `PUT /v1/integrations/calendar`, which opens a
 * push channel; a meeting a person deletes in Google Calendar cancels the appointment and its
 * reminders, and writes a CRM note, after one notification; a notification with a wrong channel
 * or token is a 401 and syncs nothing; the periodic pass renews a channel about to expire;
 * holds a killed booking left behind are adopted or released after the grace period; removing
 * the integration stops the channel; without `watch` the calendar is synced on the timer.
 */
import { googleWatchCredentialKey } from '@sdr/adapter-google-calendar';
import { createFakeGoogleCalendar } from '@sdr/adapter-google-calendar/testing';
import { appointmentIdProperty, noopLogger, tenantIdProperty } from '@sdr/core';
import { buildAppointment } from '@sdr/testkit';
import type { PostgresStore } from '@sdr/store-postgres';
import { http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  clientFor,
  createTestDatabase,
  databaseUrl,
  quickWorkers,
  type Client,
  type TestDatabase,
} from '../runtime/__fixtures__/server-harness.js';
import { createPostgresCredentialStore } from '../integrations/postgres-credential-store.js';
import { loadConfig } from '../runtime/config.js';
import { startServer, type RunningServer } from '../runtime/start-server.js';

const calendarId = 'sales@example.com';
const channelToken = 'google-channel-token-7d1e4a9c2b';
const publicBaseUrl = 'https://sdr.example.com';
const holdGraceMs = 60_000;

const fake = createFakeGoogleCalendar();
const msw = setupServer(
  http.all(`${fake.rootUrl}*`, ({ request }) => fake.handle(request)),
  http.post(fake.tokenUrl, ({ request }) => fake.handle(request)),
);

describe.skipIf(databaseUrl === undefined)('Google Calendar in the server [postgres]', () => {
  let database: TestDatabase | undefined;
  let server: RunningServer | undefined;
  let api: Client;
  let tenantId: string;

  const composition = () => {
    if (server === undefined) throw new Error('no server');
    return server.composition;
  };
  const googleConfig = (watch: boolean) => ({
    calendarId,
    auth: { type: 'oauth', clientId: 'client-1', clientSecret: 'client-secret-1', refreshToken: 'refresh-token-1' },
    rootUrl: fake.rootUrl,
    tokenUrl: fake.tokenUrl,
    ...(watch ? { watch: { token: channelToken } } : {}),
  });
  const notify = async (headers: Record<string, string>) => {
    const response = await fetch(`${server?.url ?? ''}/webhooks/google/calendar/${tenantId}`, { method: 'POST', headers });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const listRequests = () => fake.requests.filter((request) => request.method === 'GET' && request.path.endsWith('/events')).length;

  /** Books the next free slot for a new lead through the booking service the routes use. */
  const bookMeeting = async (phone: string) => {
    const { context } = composition();
    const lead = await api.post<{ id: string }>('/v1/leads', { phone });
    const [slot] = await context.services.booking.findSlots({ tenantId, actor: { kind: 'operator' } });
    if (slot === undefined) throw new Error('no free slot');
    const { appointment } = await context.services.booking.book({
      tenantId,
      leadId: lead.id,
      actor: { kind: 'operator' },
      start: slot.start,
    });
    const reminders = async () =>
      (await context.store.scheduledMessages.list({ tenantId, leadId: lead.id, statuses: ['pending'] })).map((row) => row.kind).sort();
    const notes = async () =>
      (await context.store.outbox.list({ tenantId, topic: 'crm' }))
        .filter((entry) => entry.type === 'lead.note_added')
        .map((entry) => entry.payload as { key?: string })
        .filter((payload) => payload.key === `calendar-event-deleted:${appointment.id}`);
    const status = async () => (await context.store.appointments.get(tenantId, appointment.id))?.status;
    return { appointment, reminders, notes, status };
  };

  beforeAll(async () => {
    msw.listen({
      onUnhandledRequest(request, print) {
        // The test's own requests to the server under test.
        if (new URL(request.url).hostname === '127.0.0.1') return;
        print.error();
      },
    });
    database = await createTestDatabase('postgres');
    const config = loadConfig({
      ...quickWorkers,
      ...database.env,
      SDR_PUBLIC_BASE_URL: publicBaseUrl,
      SDR_CALENDAR_SYNC_INTERVAL_MS: '1000',
      SDR_HOLD_GRACE_MS: String(holdGraceMs),
    });
    server = await startServer({ config, logger: noopLogger });
    api = clientFor(server.url ?? '', server.demo?.apiKey ?? '');
    tenantId = server.demo?.tenant.id ?? '';
  }, 300_000);

  afterAll(async () => {
    await server?.stop();
    msw.close();
    await database?.drop();
  }, 120_000);

  it('is configured through the integrations API, which opens a push channel to the public URL', async () => {
    const refused = await api.request<{ errors: { field: string }[] }>('PUT', '/v1/integrations/calendar', {
      provider: 'google',
      config: { ...googleConfig(true), calendarId: '' },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.errors.map((error) => error.field)).toContain('config.calendarId');
    expect(fake.requests).toEqual([]);
    const bookingCalendar = async () => (await composition().context.store.tenants.get(tenantId))?.booking.calendarId;
    expect(await bookingCalendar()).not.toBe(calendarId);

    const put = await api.request<{ provider: string; configured: boolean }>('PUT', '/v1/integrations/calendar', {
      provider: 'google',
      config: googleConfig(true),
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ provider: 'google', configured: true });
    expect(JSON.stringify(put.body)).not.toContain(channelToken);
    expect(JSON.stringify(put.body)).not.toContain('refresh-token-1');
    const stored = await composition().googleCalendar.channelOf(tenantId);
    expect(stored).toMatchObject({ calendarId, channelId: expect.any(String) as string });
    expect(fake.channels.get(stored?.channelId ?? '')).toMatchObject({
      calendarId,
      token: channelToken,
      address: `${publicBaseUrl}/webhooks/google/calendar/${tenantId}`,
    });
    expect(composition().ports.calendarFor(tenantId).provider).toBe('google-calendar');
    // The calendar configured is the one the tenant's meetings are booked in.
    expect(await bookingCalendar()).toBe(calendarId);
  });

  it('a meeting a person deletes in Google Calendar: one notification cancels it, its reminders, and notes it in the CRM', async () => {
    const meeting = await bookMeeting('+5511987650021');
    const eventId = meeting.appointment.calendarEventId ?? '';
    expect(fake.events(calendarId).map((event) => event.id)).toContain(eventId);
    expect(await meeting.reminders()).not.toEqual([]);
    const channel = await composition().googleCalendar.channelOf(tenantId);
    const headers = { 'x-goog-channel-id': channel?.channelId ?? '', 'x-goog-channel-token': channelToken };

    // Google's first message on a channel: the server learns where the calendar is (a full sync).
    expect(await notify({ ...headers, 'x-goog-resource-state': 'sync', 'x-goog-message-number': '1' })).toEqual({
      status: 200,
      body: { status: 'accepted' },
    });
    await composition().googleCalendar.idle();
    expect(await (composition().context.store as PostgresStore).calendarSyncTokens.get(tenantId, calendarId)).toEqual(expect.any(String));

    fake.person.deleteEvent(calendarId, eventId);
    // A wrong token, another channel, no headers at all: 401, and Google is not asked for anything.
    const before = listRequests();
    for (const refused of [
      { ...headers, 'x-goog-channel-token': 'not-the-token-of-this-tenant' },
      { ...headers, 'x-goog-channel-id': 'some-other-channel' },
      {},
    ]) {
      expect((await notify(refused)).status).toBe(401);
    }
    await composition().googleCalendar.idle();
    expect(listRequests()).toBe(before);
    expect(await meeting.status()).toBe('scheduled');

    expect((await notify({ ...headers, 'x-goog-resource-state': 'exists', 'x-goog-message-number': '2' })).status).toBe(200);
    await composition().googleCalendar.idle();
    expect(await meeting.status()).toBe('cancelled');
    expect(await meeting.reminders()).toEqual([]);
    expect(await meeting.notes()).toHaveLength(1);
    // A re-delivered notification changes nothing more.
    expect((await notify({ ...headers, 'x-goog-resource-state': 'exists', 'x-goog-message-number': '2' })).status).toBe(200);
    await composition().googleCalendar.idle();
    expect(await meeting.notes()).toHaveLength(1);
  });

  it('the periodic pass reopens a channel before it expires; the old one is stopped and refused', async () => {
    const old = await composition().googleCalendar.channelOf(tenantId);
    if (old === null || server === undefined) throw new Error('no channel');
    // Google said the channel expires in 30 minutes (renewal is due an hour before).
    const credentials = createPostgresCredentialStore({
      db: server.database.database,
      box: composition().box,
      clock: composition().clock,
      tenantId,
      kind: 'calendar',
    });
    const stored = await credentials.get(googleWatchCredentialKey);
    const expiresAt = composition().clock.now().getTime() + 30 * 60_000;
    expect(await credentials.compareAndSet(googleWatchCredentialKey, { ...stored?.value, expiresAt }, stored?.version ?? null)).toBe(true);
    const renewed = await vi.waitFor(
      async () => {
        const channel = await composition().googleCalendar.channelOf(tenantId);
        if (channel === null || channel.channelId === old.channelId || fake.channels.has(old.channelId)) throw new Error('not renewed yet');
        return channel;
      },
      { timeout: 30_000, interval: 100 },
    );
    expect([...fake.channels.keys()]).toEqual([renewed.channelId]);
    expect(renewed.expiresAt).toBeGreaterThan(expiresAt);
    expect((await notify({ 'x-goog-channel-id': old.channelId, 'x-goog-channel-token': channelToken })).status).toBe(401);
    expect((await notify({ 'x-goog-channel-id': renewed.channelId, 'x-goog-channel-token': channelToken })).status).toBe(200);
    await composition().googleCalendar.idle();
  }, 60_000);

  it('holds a killed booking left behind: after the grace period, adopted when the event exists, released otherwise', async () => {
    const { context, clock, ports } = composition();
    const tenant = await context.store.tenants.get(tenantId);
    if (tenant === null) throw new Error('no demo tenant');
    const lead = await api.post<{ id: string }>('/v1/leads', { phone: '+5511987650023' });
    const slots = await context.services.booking.findSlots({ tenantId, actor: { kind: 'operator' }, limit: 2 });
    const [first, second] = slots;
    if (first === undefined || second === undefined) throw new Error('no free slots');
    const now = clock.now();
    const hold = (slot: { start: Date; end: Date }) =>
      context.store.appointments.create(
        buildAppointment({
          tenantId,
          leadId: lead.id,
          calendarId,
          start: slot.start,
          end: slot.end,
          calendarEventId: null,
          createdAt: now,
          updatedAt: now,
        }),
      );
    // Killed after Google created the event, before it was linked; and killed before Google was called.
    const inserted = await hold(first);
    await ports.calendarFor(tenantId).createEvent({
      calendarId,
      eventId: inserted.id.replace(/-/g, ''),
      summary: 'Reunião',
      start: inserted.start,
      end: inserted.end,
      privateProperties: { [appointmentIdProperty]: inserted.id, [tenantIdProperty]: tenantId },
    });
    const neverInserted = await hold(second);
    // Every status: a reminder falling due within the grace period just skipped is sent at once.
    const reminders = async () => context.store.scheduledMessages.list({ tenantId, leadId: lead.id });
    expect(await reminders()).toEqual([]);

    await clock.advance(holdGraceMs);

    await vi.waitFor(
      async () => {
        expect(await context.store.appointments.get(tenantId, neverInserted.id)).toBeNull();
        expect(await context.store.appointments.get(tenantId, inserted.id)).toMatchObject({
          status: 'scheduled',
          calendarEventId: inserted.id.replace(/-/g, ''),
        });
      },
      { timeout: 20_000, interval: 200 },
    );
    expect((await reminders()).length).toBeGreaterThan(0);
    expect(fake.events(calendarId).filter((event) => event.id === inserted.id.replace(/-/g, ''))).toHaveLength(1);
  }, 60_000);

  it('removing the integration stops the channel; configured without watch, the calendar is synced on the timer', async () => {
    const removed = await api.request<{ configured: boolean }>('DELETE', '/v1/integrations/calendar');
    expect(removed.body.configured).toBe(false);
    expect(fake.channels.size).toBe(0);
    expect(await composition().googleCalendar.channelOf(tenantId)).toBeNull();

    const put = await api.request('PUT', '/v1/integrations/calendar', { provider: 'google', config: googleConfig(false) });
    expect(put.status).toBe(200);
    expect(fake.channels.size).toBe(0);
    const meeting = await bookMeeting('+5511987650022');
    // Let a timer sync learn the calendar with the meeting in it, then a person deletes it.
    const listed = listRequests();
    await vi.waitFor(() => expect(listRequests()).toBeGreaterThan(listed), { timeout: 15_000, interval: 100 });
    fake.person.deleteEvent(calendarId, meeting.appointment.calendarEventId ?? '');
    await vi.waitFor(async () => expect(await meeting.status()).toBe('cancelled'), { timeout: 15_000, interval: 100 });
    expect(await meeting.reminders()).toEqual([]);
    expect(await meeting.notes()).toHaveLength(1);
  }, 60_000);
});

/**
 * Repository tests: messages (provider-id dedupe) and appointments (no overlapping bookings).
 */
import { NotFoundError, SlotUnavailableError, VersionConflictError, type Appointment, type Message } from '@sdr/core';
import { describe, expect, it } from 'vitest';
import { buildAppointment, buildLead, buildMessage, newId } from './fixtures.js';
import { expectSdrError, settleAll, sideDoorCheck } from './harness.js';
import type { RepositoryConformanceOptions, StoreSetup, StoreSubject } from './repository-context.js';

const minute = 60_000;

export function registerMessageAndAppointmentTests<Subject extends StoreSubject>(
  setup: StoreSetup<Subject>,
  options: RepositoryConformanceOptions<Subject>,
): void {
  async function withLead() {
    const world = await setup();
    const lead = await world.store.leads.create(buildLead({ tenantId: world.tenantId }));
    return { ...world, lead };
  }

  describe('messages', () => {
    it(
      'append stores a message (created true) and get round-trips it',
      async () => {
        const { store, tenantId, lead } = await withLead();
        const message = buildMessage({
          tenantId,
          leadId: lead.id,
          providerMessageId: `wamid-${newId()}`,
          media: [{ ref: 'blob-1', contentType: 'image/jpeg', fileName: 'photo.jpg', size: 1234 }],
          createdAt: new Date('2031-02-03T04:05:06.789Z'),
        });
        const appended = await store.messages.append(message);
        expect(appended).toEqual({ message, created: true });
        expect(await store.messages.get(tenantId, message.id)).toEqual(message);
      },
      options.timeoutMs,
    );

    it(
      'a second message with the same provider id, tenant and channel is not stored: created false and the first one returned',
      async (context) => {
        const { subject, store, tenantId, lead } = await withLead();
        const providerMessageId = `wamid-${newId()}`;
        const first = buildMessage({ tenantId, leadId: lead.id, providerMessageId, body: 'first' });
        await store.messages.append(first);
        const redelivered = await store.messages.append(buildMessage({ tenantId, leadId: lead.id, providerMessageId, body: 'again' }));
        expect(redelivered.created).toBe(false);
        expect(redelivered.message).toEqual(first);
        expect(await store.messages.listByLead(tenantId, lead.id)).toHaveLength(1);
        await sideDoorCheck(context, options.inspect, 'one stored message row', async (inspect) => {
          expect((await inspect.rowCounts(subject, tenantId))['messages']).toBe(1);
        });
      },
      options.timeoutMs,
    );

    it(
      'the same provider id on another channel, in another tenant, or no provider id at all does not dedupe',
      async () => {
        const { store, tenantId, lead, newTenant } = await withLead();
        const providerMessageId = `wamid-${newId()}`;
        await store.messages.append(buildMessage({ tenantId, leadId: lead.id, providerMessageId }));
        expect((await store.messages.append(buildMessage({ tenantId, leadId: lead.id, providerMessageId, channel: 'sms' }))).created).toBe(
          true,
        );
        const other = (await newTenant()).id;
        const otherLead = await store.leads.create(buildLead({ tenantId: other }));
        expect((await store.messages.append(buildMessage({ tenantId: other, leadId: otherLead.id, providerMessageId }))).created).toBe(
          true,
        );
        expect((await store.messages.append(buildMessage({ tenantId, leadId: lead.id }))).created).toBe(true);
        expect((await store.messages.append(buildMessage({ tenantId, leadId: lead.id }))).created).toBe(true);
        expect(await store.messages.listByLead(tenantId, lead.id)).toHaveLength(4);
      },
      options.timeoutMs,
    );

    it(
      'findByProviderMessageId finds within tenant and channel only; another tenant sees nothing through get, find or listByLead',
      async () => {
        const { store, tenantId, lead, newTenant } = await withLead();
        const message = buildMessage({ tenantId, leadId: lead.id, providerMessageId: `wamid-${newId()}` });
        await store.messages.append(message);
        const providerMessageId = message.providerMessageId ?? '';
        expect(await store.messages.findByProviderMessageId(tenantId, 'whatsapp', providerMessageId)).toEqual(message);
        expect(await store.messages.findByProviderMessageId(tenantId, 'voice', providerMessageId)).toBeNull();
        const other = (await newTenant()).id;
        expect(await store.messages.findByProviderMessageId(other, 'whatsapp', providerMessageId)).toBeNull();
        expect(await store.messages.get(other, message.id)).toBeNull();
        expect(await store.messages.listByLead(other, lead.id)).toEqual([]);
      },
      options.timeoutMs,
    );

    it(
      'listByLead returns the latest limit messages in chronological order; before keeps those strictly earlier',
      async () => {
        const { store, tenantId, lead } = await withLead();
        const base = Date.UTC(2031, 1, 1);
        const messages: Message[] = [];
        for (let index = 0; index < 6; index += 1) {
          const message = buildMessage({ tenantId, leadId: lead.id, body: `#${index}`, createdAt: new Date(base + index * minute) });
          await store.messages.append(message);
          messages.push(message);
        }
        expect((await store.messages.listByLead(tenantId, lead.id)).map((message) => message.body)).toEqual([
          '#0',
          '#1',
          '#2',
          '#3',
          '#4',
          '#5',
        ]);
        expect((await store.messages.listByLead(tenantId, lead.id, { limit: 3 })).map((message) => message.body)).toEqual([
          '#3',
          '#4',
          '#5',
        ]);
        const earlier = await store.messages.listByLead(tenantId, lead.id, { limit: 2, before: new Date(base + 4 * minute) });
        expect(earlier.map((message) => message.body)).toEqual(['#2', '#3']);
      },
      options.timeoutMs,
    );

    it(
      'concurrent appends of one provider id: exactly one created, all return the stored message',
      async () => {
        const { store, tenantId, lead } = await withLead();
        const providerMessageId = `wamid-${newId()}`;
        const results = await Promise.all(
          Array.from({ length: 10 }, () => store.messages.append(buildMessage({ tenantId, leadId: lead.id, providerMessageId }))),
        );
        expect(results.filter((result) => result.created)).toHaveLength(1);
        expect(new Set(results.map((result) => result.message.id)).size).toBe(1);
        expect(await store.messages.listByLead(tenantId, lead.id)).toHaveLength(1);
      },
      options.timeoutMs,
    );
  });

  describe('appointments', () => {
    const slot = (hours: number, minutes = 60) => {
      const start = new Date(Date.UTC(2031, 3, 7) + hours * 60 * minute);
      return { start, end: new Date(start.getTime() + minutes * minute) };
    };

    it(
      'create and get round-trip; another tenant sees nothing through get, listByLead or listInRange, and cannot update',
      async () => {
        const { store, tenantId, lead, newTenant } = await withLead();
        const appointment = buildAppointment({ tenantId, leadId: lead.id, calendarId: 'sales', ...slot(10) });
        expect(await store.appointments.create(appointment)).toEqual(appointment);
        expect(await store.appointments.get(tenantId, appointment.id)).toEqual(appointment);
        const other = (await newTenant()).id;
        expect(await store.appointments.get(other, appointment.id)).toBeNull();
        expect(await store.appointments.listByLead(other, lead.id)).toEqual([]);
        expect(await store.appointments.listInRange(other, 'sales', slot(0).start, slot(24).end)).toEqual([]);
        await expectSdrError(store.appointments.update({ ...appointment, tenantId: other, status: 'cancelled' }), NotFoundError);
        expect((await store.appointments.get(tenantId, appointment.id))?.status).toBe('scheduled');
      },
      options.timeoutMs,
    );

    it(
      'ids are unique per tenant: another tenant may use an id already taken, and each keeps, updates and releases its own',
      async () => {
        const { store, tenantId, lead, newTenant } = await withLead();
        const ours = await store.appointments.create(buildAppointment({ tenantId, leadId: lead.id, calendarId: 'sales', ...slot(10) }));
        const other = (await newTenant()).id;
        const otherLead = await store.leads.create(buildLead({ tenantId: other }));
        const theirs = buildAppointment({ id: ours.id, tenantId: other, leadId: otherLead.id, calendarId: 'sales', ...slot(12) });
        expect(await store.appointments.create(theirs)).toEqual(theirs);
        expect(await store.appointments.get(tenantId, ours.id)).toEqual(ours);
        expect(await store.appointments.get(other, ours.id)).toEqual(theirs);
        const cancelled = await store.appointments.update({ ...theirs, status: 'cancelled' });
        expect(cancelled.version).toBe(theirs.version + 1);
        expect(await store.appointments.get(tenantId, ours.id)).toEqual(ours);
        expect(await store.appointments.releaseHold(other, ours.id)).toBe(false);
        expect(await store.appointments.get(tenantId, ours.id)).toEqual(ours);
      },
      options.timeoutMs,
    );

    it(
      'an overlapping scheduled appointment on the same calendar is a SlotUnavailableError; back-to-back, another calendar or another tenant is fine',
      async () => {
        const { store, tenantId, lead, newTenant } = await withLead();
        await store.appointments.create(buildAppointment({ tenantId, leadId: lead.id, calendarId: 'sales', ...slot(10) }));
        await expectSdrError(
          store.appointments.create(buildAppointment({ tenantId, leadId: lead.id, calendarId: 'sales', ...slot(10.5) })),
          SlotUnavailableError,
        );
        await expectSdrError(
          store.appointments.create(buildAppointment({ tenantId, leadId: lead.id, calendarId: 'sales', ...slot(9, 180) })),
          SlotUnavailableError,
        );
        await store.appointments.create(buildAppointment({ tenantId, leadId: lead.id, calendarId: 'sales', ...slot(11) }));
        await store.appointments.create(buildAppointment({ tenantId, leadId: lead.id, calendarId: 'sales', ...slot(9) }));
        await store.appointments.create(buildAppointment({ tenantId, leadId: lead.id, calendarId: 'support', ...slot(10) }));
        const other = (await newTenant()).id;
        const otherLead = await store.leads.create(buildLead({ tenantId: other }));
        await store.appointments.create(buildAppointment({ tenantId: other, leadId: otherLead.id, calendarId: 'sales', ...slot(10) }));
        expect(await store.appointments.listInRange(tenantId, 'sales', slot(0).start, slot(24).end)).toHaveLength(3);
      },
      options.timeoutMs,
    );

    it(
      'cancelled (and completed) appointments do not block a slot; re-scheduling one into a taken slot is a SlotUnavailableError',
      async () => {
        const { store, tenantId, lead } = await withLead();
        const first = await store.appointments.create(buildAppointment({ tenantId, leadId: lead.id, calendarId: 'sales', ...slot(10) }));
        const cancelled = await store.appointments.update({ ...first, status: 'cancelled' });
        const second = await store.appointments.create(buildAppointment({ tenantId, leadId: lead.id, calendarId: 'sales', ...slot(10) }));
        await store.appointments.create(
          buildAppointment({ tenantId, leadId: lead.id, calendarId: 'sales', status: 'completed', ...slot(10) }),
        );
        await expectSdrError(store.appointments.update({ ...cancelled, status: 'scheduled' }), SlotUnavailableError);
        expect((await store.appointments.get(tenantId, first.id))?.status).toBe('cancelled');
        expect((await store.appointments.get(tenantId, second.id))?.status).toBe('scheduled');
      },
      options.timeoutMs,
    );

    it(
      'update is optimistic and keeps the overlap rule: moving onto a booked slot is a SlotUnavailableError and changes nothing',
      async () => {
        const { store, tenantId, lead } = await withLead();
        await store.appointments.create(buildAppointment({ tenantId, leadId: lead.id, calendarId: 'sales', ...slot(10) }));
        const later = await store.appointments.create(buildAppointment({ tenantId, leadId: lead.id, calendarId: 'sales', ...slot(14) }));
        await expectSdrError(store.appointments.update({ ...later, ...slot(10.5) }), SlotUnavailableError);
        expect(await store.appointments.get(tenantId, later.id)).toEqual(later);
        const moved = await store.appointments.update({ ...later, ...slot(15) });
        expect(moved.version).toBe(later.version + 1);
        expect(moved.start.getTime()).toBe(slot(15).start.getTime());
        await expectSdrError(store.appointments.update({ ...later, status: 'cancelled' }), VersionConflictError);
        await expectSdrError(store.appointments.update(buildAppointment({ tenantId, leadId: lead.id })), NotFoundError);
      },
      options.timeoutMs,
    );

    it(
      'listByLead filters by status; listInRange returns what overlaps [from, to) on one calendar, scheduled by default',
      async () => {
        const { store, tenantId, lead } = await withLead();
        const create = (hours: number, status: Appointment['status'] = 'scheduled') =>
          store.appointments.create(buildAppointment({ tenantId, leadId: lead.id, calendarId: 'sales', status, ...slot(hours) }));
        const nine = await create(9);
        const ten = await create(10, 'cancelled');
        const eleven = await create(11);
        const ids = (list: readonly Appointment[]) => list.map((appointment) => appointment.id).sort();
        expect(ids(await store.appointments.listByLead(tenantId, lead.id))).toEqual(ids([nine, ten, eleven]));
        expect(ids(await store.appointments.listByLead(tenantId, lead.id, { statuses: ['cancelled'] }))).toEqual([ten.id]);
        expect(ids(await store.appointments.listInRange(tenantId, 'sales', slot(9.5).start, slot(11).start))).toEqual([nine.id]);
        const withCancelled = await store.appointments.listInRange(tenantId, 'sales', slot(9.5).start, slot(11).start, {
          statuses: ['scheduled', 'cancelled'],
        });
        expect(ids(withCancelled)).toEqual(ids([nine, ten]));
        expect(await store.appointments.listInRange(tenantId, 'other-calendar', slot(0).start, slot(24).end)).toEqual([]);
      },
      options.timeoutMs,
    );

    it(
      'concurrent bookings of overlapping slots: exactly one succeeds, the others get SlotUnavailableError',
      async () => {
        const { store, tenantId, lead } = await withLead();
        const { values, errors } = await settleAll(
          Array.from(
            { length: 10 },
            (_, index) => () =>
              store.appointments.create(buildAppointment({ tenantId, leadId: lead.id, calendarId: 'sales', ...slot(10 + index * 0.1) })),
          ),
        );
        expect(values).toHaveLength(1);
        expect(errors.filter((error) => !SlotUnavailableError.isInstance(error))).toEqual([]);
        expect(await store.appointments.listInRange(tenantId, 'sales', slot(0).start, slot(24).end)).toHaveLength(1);
      },
      options.timeoutMs,
    );

    it(
      'releaseHold deletes a hold (scheduled, no event yet) and frees its slot, and nothing else',
      async () => {
        const { store, tenantId, lead, newTenant } = await withLead();
        const hold = await store.appointments.create(
          buildAppointment({ tenantId, leadId: lead.id, calendarId: 'sales', calendarEventId: null, ...slot(10) }),
        );
        const booked = await store.appointments.create(buildAppointment({ tenantId, leadId: lead.id, calendarId: 'sales', ...slot(12) }));
        const cancelledHold = await store.appointments.create(
          buildAppointment({ tenantId, leadId: lead.id, calendarId: 'sales', calendarEventId: null, status: 'cancelled', ...slot(14) }),
        );
        expect(await store.appointments.releaseHold((await newTenant()).id, hold.id)).toBe(false);
        expect(await store.appointments.releaseHold(tenantId, booked.id)).toBe(false);
        expect(await store.appointments.releaseHold(tenantId, cancelledHold.id)).toBe(false);
        expect(await store.appointments.releaseHold(tenantId, hold.id)).toBe(true);
        expect(await store.appointments.releaseHold(tenantId, hold.id)).toBe(false);
        expect(await store.appointments.get(tenantId, hold.id)).toBeNull();
        expect(await store.appointments.get(tenantId, booked.id)).toEqual(booked);
        // The slot is free again.
        await store.appointments.create(buildAppointment({ tenantId, leadId: lead.id, calendarId: 'sales', ...slot(10) }));
      },
      options.timeoutMs,
    );
  });
}

import { describe, expect, it } from 'vitest';
import { SlotUnavailableError } from '../../errors/index.js';
import { buildAppointment, buildLead, buildTenant, at, hour, minute } from '../../testing/__fixtures__/entities.js';
import { createInMemoryStore } from './in-memory-store.js';

const isSlotUnavailable = (error: unknown) => SlotUnavailableError.isInstance(error);

async function setup() {
  const store = createInMemoryStore();
  const tenantId = (await store.tenants.create(buildTenant())).id;
  const leadId = (await store.leads.create(buildLead({ tenantId }))).id;
  const booking = (start: number, end: number, overrides: Partial<Parameters<typeof buildAppointment>[0]> = {}) =>
    buildAppointment({ tenantId, leadId, start: at(start), end: at(end), ...overrides });
  return { store, tenantId, leadId, booking };
}

describe('in-memory appointments: no overlapping scheduled appointments per tenant calendar', () => {
  it('refuses an overlap, accepts back-to-back (half-open intervals), another calendar, or a non-scheduled one', async () => {
    const { store, booking } = await setup();
    await store.appointments.create(booking(10 * hour, 11 * hour));
    await expect(store.appointments.create(booking(10 * hour + 30 * minute, 11 * hour + 30 * minute))).rejects.toSatisfy(isSlotUnavailable);
    await expect(store.appointments.create(booking(9 * hour, 12 * hour))).rejects.toSatisfy(isSlotUnavailable);
    await store.appointments.create(booking(11 * hour, 12 * hour));
    await store.appointments.create(booking(9 * hour, 10 * hour));
    await store.appointments.create(booking(10 * hour, 11 * hour, { calendarId: 'other' }));
    await store.appointments.create(booking(10 * hour, 11 * hour, { status: 'cancelled' }));
    expect(await store.appointments.listInRange(booking(0, 1).tenantId, 'primary', at(0), at(24 * hour))).toHaveLength(3);
  });

  it('other tenants have their own calendars', async () => {
    const { store, tenantId, booking } = await setup();
    const ours = await store.appointments.create(booking(10 * hour, 11 * hour));
    const otherTenant = (await store.tenants.create(buildTenant())).id;
    const otherLead = (await store.leads.create(buildLead({ tenantId: otherTenant }))).id;
    const theirs = await store.appointments.create(booking(10 * hour, 11 * hour, { tenantId: otherTenant, leadId: otherLead }));
    const idsOn = async (tenant: string) =>
      (await store.appointments.listInRange(tenant, 'primary', at(0), at(24 * hour))).map((appointment) => appointment.id);
    expect(await idsOn(tenantId)).toEqual([ours.id]);
    expect(await idsOn(otherTenant)).toEqual([theirs.id]);
  });

  it('applies the rule to updates: moving into a taken slot or re-scheduling a cancelled one onto it is refused', async () => {
    const { store, booking } = await setup();
    await store.appointments.create(booking(10 * hour, 11 * hour));
    const later = await store.appointments.create(booking(12 * hour, 13 * hour));
    await expect(
      store.appointments.update({ ...later, start: at(10 * hour + 30 * minute), end: at(11 * hour + 30 * minute) }),
    ).rejects.toSatisfy(isSlotUnavailable);
    const cancelled = await store.appointments.update({ ...later, status: 'cancelled' });
    const moved = await store.appointments.update({ ...cancelled, start: at(10 * hour), end: at(11 * hour) });
    await expect(store.appointments.update({ ...moved, status: 'scheduled' })).rejects.toSatisfy(isSlotUnavailable);
    // Moving an appointment within its own slot is no conflict with itself.
    const own = await store.appointments.create(booking(14 * hour, 15 * hour));
    const shifted = { start: at(14 * hour + 15 * minute), end: at(15 * hour + 15 * minute) };
    expect(await store.appointments.update({ ...own, ...shifted })).toMatchObject({ id: own.id, ...shifted });
  });

  it('K concurrent bookings of overlapping slots: exactly one succeeds', async () => {
    const { store, booking } = await setup();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, index) => store.appointments.create(booking(10 * hour + index * minute, 11 * hour + index * minute))),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((result) => result.status === 'rejected' && isSlotUnavailable(result.reason))).toHaveLength(19);
  });

  it('listByLead filters by status and orders by start', async () => {
    const { store, tenantId, leadId, booking } = await setup();
    const late = await store.appointments.create(booking(20 * hour, 21 * hour));
    const early = await store.appointments.create(booking(8 * hour, 9 * hour, { status: 'completed' }));
    expect((await store.appointments.listByLead(tenantId, leadId)).map((appointment) => appointment.id)).toEqual([early.id, late.id]);
    expect(
      (await store.appointments.listByLead(tenantId, leadId, { statuses: ['completed'] })).map((appointment) => appointment.id),
    ).toEqual([early.id]);
  });
});

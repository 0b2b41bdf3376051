import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseOrThrow } from '../model/parse.js';
import { tenantConfigSchema } from '../model/tenant.js';
import { BusinessCalendar } from '../time/business-calendar.js';
import type { Interval } from '../time/local-time.js';
import { availableSlots, bookableRange, buffersOf, checkSlot, type BookingTenant } from './availability.js';
import { intervalsOverlap, padInterval } from './intervals.js';

const minute = 60_000;
const hour = 60 * minute;
const lunchBreak = [
  ['09:00', '12:00'],
  ['13:00', '18:00'],
];

const tenantArbitrary = fc
  .record({
    timeZone: fc.constantFrom('America/Sao_Paulo', 'America/New_York', 'Europe/Lisbon', 'Asia/Kolkata'),
    slotMinutes: fc.constantFrom(15, 30, 45, 60),
    bufferBefore: fc.constantFrom(0, 5, 15),
    bufferAfter: fc.constantFrom(0, 10, 30),
    minimumNotice: fc.constantFrom(0, hour, 2 * hour),
    horizonDays: fc.integer({ min: 1, max: 6 }),
    openOnWeekends: fc.boolean(),
  })
  .map(
    (settings): BookingTenant =>
      parseOrThrow(tenantConfigSchema, {
        timeZone: settings.timeZone,
        businessHours: {
          mon: lunchBreak,
          tue: lunchBreak,
          wed: lunchBreak,
          thu: lunchBreak,
          fri: lunchBreak,
          ...(settings.openOnWeekends ? { sat: [['10:00', '14:00']], sun: [['00:30', '03:30']] } : {}),
        },
        booking: {
          slotMinutes: settings.slotMinutes,
          bufferBefore: settings.bufferBefore * minute,
          bufferAfter: settings.bufferAfter * minute,
          minimumNotice: settings.minimumNotice,
          horizonDays: settings.horizonDays,
        },
      }),
  );

// Around both 2026 DST changes of New York and Lisbon.
const nowArbitrary = fc
  .constantFrom(Date.UTC(2026, 2, 5), Date.UTC(2026, 2, 26), Date.UTC(2026, 9, 22), Date.UTC(2026, 9, 29))
  .chain((base) => fc.integer({ min: 0, max: 4 * 24 * 60 }).map((minutes) => new Date(base + minutes * minute)));

const busyArbitrary = (now: Date) =>
  fc.array(
    fc
      .record({ offset: fc.integer({ min: -12 * 60, max: 12 * 24 * 60 }), length: fc.integer({ min: 5, max: 26 * 60 }) })
      .map(({ offset, length }): Interval => {
        const start = Math.floor(now.getTime() / minute) * minute + offset * minute;
        return { start: new Date(start), end: new Date(start + length * minute) };
      }),
    { maxLength: 12 },
  );

const scenario = fc.tuple(tenantArbitrary, nowArbitrary).chain(([tenant, now]) =>
  fc.record({
    tenant: fc.constant(tenant),
    now: fc.constant(now),
    busy: busyArbitrary(now),
    durationMinutes: fc.constantFrom(undefined, 20, 90),
  }),
);

describe('availableSlots: properties', () => {
  it('every slot is open, within notice and horizon, clear of busy time with its buffers, and passes checkSlot', () => {
    fc.assert(
      fc.property(scenario, ({ tenant, now, busy, durationMinutes }) => {
        const input = { tenant, now, busy, appointments: [], ...(durationMinutes === undefined ? {} : { durationMinutes }) };
        const slots = availableSlots(input);
        const calendar = BusinessCalendar.fromTenant(tenant);
        const range = bookableRange(tenant, now);
        for (const [index, slot] of slots.entries()) {
          expect(slot.start.getTime()).toBeGreaterThanOrEqual(range.start.getTime());
          expect(slot.start.getTime()).toBeLessThan(range.end.getTime());
          expect(slot.end.getTime() - slot.start.getTime()).toBe((durationMinutes ?? tenant.booking.slotMinutes) * minute);
          expect(calendar.isOpen(slot.start)).toBe(true);
          expect(calendar.isOpen(new Date(slot.end.getTime() - 1))).toBe(true);
          const guard = padInterval(slot, buffersOf(tenant));
          expect(busy.some((interval) => intervalsOverlap(interval, guard))).toBe(false);
          // checkSlot reads the business calendar afresh each time: a sample keeps the run short.
          if (index % 7 === 0) expect(checkSlot({ ...input, slot })).toEqual({ ok: true });
          const previous = slots[index - 1];
          if (previous) expect(slot.start.getTime()).toBeGreaterThan(previous.start.getTime());
        }
      }),
      { numRuns: 40 },
    );
  });

  it('busy time only removes the slots it touches: every free slot of the empty calendar that it leaves clear stays', () => {
    fc.assert(
      fc.property(scenario, ({ tenant, now, busy }) => {
        const free = availableSlots({ tenant, now, busy: [], appointments: [] });
        const withBusy = new Set(availableSlots({ tenant, now, busy, appointments: [] }).map((slot) => slot.start.getTime()));
        for (const slot of free) {
          const guard = padInterval(slot, buffersOf(tenant));
          const clear = !busy.some((interval) => intervalsOverlap(interval, guard));
          expect(withBusy.has(slot.start.getTime())).toBe(clear);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('a booked slot, stored as a scheduled appointment, is never offered again and blocks what overlaps it', () => {
    fc.assert(
      fc.property(scenario, fc.nat(), ({ tenant, now, busy }, pick) => {
        const slots = availableSlots({ tenant, now, busy, appointments: [] });
        fc.pre(slots.length > 0);
        const chosen = slots[pick % slots.length]!;
        const appointment = { id: 'booked', start: chosen.start, end: chosen.end, status: 'scheduled' as const };
        for (const slot of availableSlots({ tenant, now, busy, appointments: [appointment] })) {
          expect(intervalsOverlap(slot, appointment)).toBe(false);
        }
      }),
      { numRuns: 40 },
    );
  });
});

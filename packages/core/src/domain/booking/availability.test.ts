import { describe, expect, it } from 'vitest';
import { parseOrThrow } from '../model/parse.js';
import { tenantConfigSchema, type TenantConfigInput } from '../model/tenant.js';
import type { Interval } from '../time/local-time.js';
import { availableSlots, bookableRange, checkSlot, nearestSlots, type BookingTenant, type SlotsInput } from './availability.js';

const lunchBreak = [
  ['09:00', '12:00'],
  ['13:00', '18:00'],
];
const weekdays = { mon: lunchBreak, tue: lunchBreak, wed: lunchBreak, thu: lunchBreak, fri: lunchBreak };

function tenantOf(overrides: Partial<TenantConfigInput> = {}): BookingTenant {
  return parseOrThrow(tenantConfigSchema, { timeZone: 'America/Sao_Paulo', locale: 'en', businessHours: weekdays, ...overrides });
}

/** São Paulo wall-clock time (UTC−3 all year) as an instant. */
const sp = (date: string, time: string) => new Date(`${date}T${time}:00-03:00`);
const ny = (isoWithOffset: string) => new Date(isoWithOffset);
const busy = (start: Date, end: Date): Interval => ({ start, end });

/** Local `HH:MM` of each slot start in São Paulo, for readable expectations. */
function localTimes(tenant: BookingTenant, input: Omit<SlotsInput, 'tenant'>): string[] {
  return availableSlots({ tenant, ...input }).map((slot) => slot.localStart.slice(11, 16));
}

// Monday 2026-03-02 07:00 local: the 2-hour notice still allows 09:00.
const mondayEarly = sp('2026-03-02', '07:00');
const monday = { from: sp('2026-03-02', '00:00'), to: sp('2026-03-03', '00:00') };
const mondayAfternoon = ['13:00', '13:30', '14:00', '14:30', '15:00', '15:30', '16:00', '16:30', '17:00', '17:30'];

describe('availableSlots: table', () => {
  it('cuts business hours into 30-minute slots and keeps the lunch break free', () => {
    expect(localTimes(tenantOf(), { now: mondayEarly, busy: [], appointments: [], ...monday })).toEqual([
      '09:00',
      '09:30',
      '10:00',
      '10:30',
      '11:00',
      '11:30',
      ...mondayAfternoon,
    ]);
  });

  it('returns UTC instants with local renderings in the tenant zone', () => {
    const [first] = availableSlots({ tenant: tenantOf(), now: mondayEarly, busy: [], appointments: [], ...monday });
    expect(first?.start.toISOString()).toBe('2026-03-02T12:00:00.000Z');
    expect(first?.end.toISOString()).toBe('2026-03-02T12:30:00.000Z');
    expect(first?.localStart).toBe('2026-03-02T09:00:00-03:00');
    expect(first?.localEnd).toBe('2026-03-02T09:30:00-03:00');
    expect(first?.localLabel).toMatch(/Mon.*Mar.*2.*9:00/);
  });

  it('offers nothing on closed days (the weekend)', () => {
    expect(
      localTimes(tenantOf(), {
        now: mondayEarly,
        busy: [],
        appointments: [],
        from: sp('2026-03-07', '00:00'),
        to: sp('2026-03-09', '00:00'),
      }),
    ).toEqual([]);
  });

  it('offers nothing on a holiday and resumes the day after', () => {
    const tenant = tenantOf({ holidays: ['2026-03-04'] });
    const slots = availableSlots({
      tenant,
      now: mondayEarly,
      busy: [],
      appointments: [],
      from: sp('2026-03-04', '00:00'),
      to: sp('2026-03-06', '00:00'),
    });
    expect(slots.some((slot) => slot.localStart.startsWith('2026-03-04'))).toBe(false);
    expect(slots[0]?.localStart).toBe('2026-03-05T09:00:00-03:00');
  });

  it.each([
    ['2-hour notice at 10:10 skips to the first grid slot after 12:10, past lunch', '10:10', '2h', '13:00'],
    ['no notice at 10:10: the next grid slot', '10:10', 0, '10:30'],
    ['a 4-hour notice at 08:00', '08:00', '4h', '13:00'],
    ['a notice ending exactly on a slot keeps it', '08:00', '2h', '10:00'],
  ])('minimum notice: %s', (_label, nowTime, minimumNotice, firstSlot) => {
    const tenant = tenantOf({ booking: { minimumNotice } });
    expect(localTimes(tenant, { now: sp('2026-03-02', nowTime), busy: [], appointments: [], ...monday })[0]).toBe(firstSlot);
  });

  it('buffers keep the time before and after other meetings free', () => {
    const tenant = tenantOf({ booking: { bufferBefore: '15m', bufferAfter: '15m' } });
    const meeting = busy(sp('2026-03-02', '14:00'), sp('2026-03-02', '15:00'));
    expect(
      localTimes(tenant, { now: mondayEarly, busy: [meeting], appointments: [], ...monday }).filter((time) => time >= '13:00'),
    ).toEqual(['13:00', '15:30', '16:00', '16:30', '17:00', '17:30']);
  });

  it('buffers may reach outside business hours (they separate meetings, they are not working time)', () => {
    const tenant = tenantOf({ booking: { bufferBefore: '30m', bufferAfter: '30m' } });
    const times = localTimes(tenant, { now: mondayEarly, busy: [], appointments: [], ...monday });
    expect(times[0]).toBe('09:00');
    expect(times).toContain('11:30');
    expect(times).toContain('13:00');
  });

  it('existing scheduled appointments block their time and keep their own buffers; cancelled ones do not', () => {
    const tenant = tenantOf({ booking: { bufferBefore: '10m', bufferAfter: '20m' } });
    const appointments = [
      { id: 'a', start: sp('2026-03-02', '10:00'), end: sp('2026-03-02', '10:30'), status: 'scheduled' as const },
      { id: 'b', start: sp('2026-03-02', '14:00'), end: sp('2026-03-02', '14:30'), status: 'cancelled' as const },
    ];
    const times = localTimes(tenant, { now: mondayEarly, busy: [], appointments, ...monday });
    // 09:30 needs its 20-minute after-buffer free until 10:20, but the 10:00 meeting's own before-buffer starts at 09:50.
    expect(times.filter((time) => time < '12:00')).toEqual(['09:00', '11:00', '11:30']);
    expect(times).toContain('14:00');
  });

  it('the horizon ends with the local day `horizonDays` after today', () => {
    const tenant = tenantOf({ booking: { horizonDays: 2 } });
    const slots = availableSlots({
      tenant,
      now: mondayEarly,
      busy: [],
      appointments: [],
      from: sp('2026-03-02', '00:00'),
      to: sp('2026-03-10', '00:00'),
    });
    const days = [...new Set(slots.map((slot) => slot.localStart.slice(0, 10)))];
    expect(days).toEqual(['2026-03-02', '2026-03-03', '2026-03-04']);
    expect(bookableRange(tenant, mondayEarly).end.toISOString()).toBe(sp('2026-03-05', '00:00').toISOString());
  });

  it('an all-day busy event blocks the whole local day and nothing else', () => {
    const allDay = busy(sp('2026-03-03', '00:00'), sp('2026-03-04', '00:00'));
    const slots = availableSlots({
      tenant: tenantOf(),
      now: mondayEarly,
      busy: [allDay],
      appointments: [],
      from: sp('2026-03-02', '00:00'),
      to: sp('2026-03-05', '00:00'),
    });
    const days = slots.map((slot) => slot.localStart.slice(0, 10));
    expect(days.filter((day) => day === '2026-03-03')).toEqual([]);
    expect(days.filter((day) => day === '2026-03-02')).toHaveLength(16);
    expect(days.filter((day) => day === '2026-03-04')).toHaveLength(16);
  });

  it('a busy interval that straddles midnight blocks the end of one evening and the start of the next night', () => {
    const nightly: [string, string][] = [
      ['00:00', '02:00'],
      ['20:00', '24:00'],
    ];
    const tenant = tenantOf({ businessHours: { mon: nightly, tue: nightly }, booking: { minimumNotice: 0 } });
    const late = busy(sp('2026-03-02', '23:00'), sp('2026-03-03', '01:00'));
    const slots = availableSlots({
      tenant,
      now: mondayEarly,
      busy: [late],
      appointments: [],
      from: sp('2026-03-02', '18:00'),
      to: sp('2026-03-03', '03:00'),
    });
    expect(slots.map((slot) => slot.localStart.slice(5, 16))).toEqual([
      '03-02T20:00',
      '03-02T20:30',
      '03-02T21:00',
      '03-02T21:30',
      '03-02T22:00',
      '03-02T22:30',
      '03-03T01:00',
      '03-03T01:30',
    ]);
  });

  it('a slot may run across midnight when the windows touch there', () => {
    const nightly: [string, string][] = [
      ['00:00', '02:00'],
      ['20:00', '24:00'],
    ];
    const tenant = tenantOf({ businessHours: { mon: nightly, tue: nightly }, booking: { minimumNotice: 0 } });
    const slots = availableSlots({
      tenant,
      now: mondayEarly,
      busy: [],
      appointments: [],
      durationMinutes: 90,
      from: sp('2026-03-02', '23:00'),
      to: sp('2026-03-03', '00:01'),
    });
    expect(slots.map((slot) => [slot.localStart.slice(11, 16), slot.localEnd.slice(11, 16)])).toEqual([
      ['23:00', '00:30'],
      ['23:30', '01:00'],
      ['00:00', '01:30'],
    ]);
  });

  it('longer meetings start on the same grid and must fit in one window', () => {
    const times = localTimes(tenantOf(), { now: mondayEarly, busy: [], appointments: [], durationMinutes: 60, ...monday });
    expect(times).toEqual([
      '09:00',
      '09:30',
      '10:00',
      '10:30',
      '11:00',
      '13:00',
      '13:30',
      '14:00',
      '14:30',
      '15:00',
      '15:30',
      '16:00',
      '16:30',
      '17:00',
    ]);
  });

  it('limit keeps the earliest slots', () => {
    expect(localTimes(tenantOf(), { now: mondayEarly, busy: [], appointments: [], limit: 3, ...monday })).toEqual([
      '09:00',
      '09:30',
      '10:00',
    ]);
  });

  it('ignores the time of an appointment being moved, in free/busy and in the store', () => {
    const own = { id: 'own', start: sp('2026-03-02', '10:00'), end: sp('2026-03-02', '10:30'), status: 'scheduled' as const };
    const input = { now: mondayEarly, busy: [busy(own.start, own.end)], appointments: [own], ...monday };
    expect(localTimes(tenantOf(), input)).not.toContain('10:00');
    expect(localTimes(tenantOf(), { ...input, ignore: { appointmentIds: ['own'], intervals: [own] } })).toContain('10:00');
  });
});

describe('availableSlots across DST in America/New_York', () => {
  const nineToFive: [string, string][] = [['09:00', '17:00']];
  const newYork = (overrides: Partial<TenantConfigInput> = {}) =>
    tenantOf({
      timeZone: 'America/New_York',
      businessHours: { mon: nineToFive, fri: nineToFive },
      booking: { minimumNotice: 0 },
      ...overrides,
    });

  it('09:00 is 14:00Z on the Friday before the spring change and 13:00Z on the Monday after', () => {
    const slots = availableSlots({
      tenant: newYork(),
      now: ny('2026-03-06T00:00:00-05:00'),
      busy: [],
      appointments: [],
      from: ny('2026-03-06T00:00:00-05:00'),
      to: ny('2026-03-10T00:00:00-04:00'),
    });
    const firsts = slots.filter((slot) => slot.localStart.slice(11, 16) === '09:00');
    expect(firsts.map((slot) => slot.start.toISOString())).toEqual(['2026-03-06T14:00:00.000Z', '2026-03-09T13:00:00.000Z']);
    expect(firsts.map((slot) => slot.localStart)).toEqual(['2026-03-06T09:00:00-05:00', '2026-03-09T09:00:00-04:00']);
    expect(slots.filter((slot) => slot.localStart.startsWith('2026-03-09'))).toHaveLength(16);
  });

  it('on the spring-forward night the skipped hour has no slots', () => {
    const tenant = newYork({ businessHours: { sun: [['01:00', '04:00']] } });
    const slots = availableSlots({
      tenant,
      now: ny('2026-03-07T12:00:00-05:00'),
      busy: [],
      appointments: [],
      from: ny('2026-03-08T00:00:00-05:00'),
      to: ny('2026-03-09T00:00:00-04:00'),
    });
    expect(slots.map((slot) => slot.localStart)).toEqual([
      '2026-03-08T01:00:00-05:00',
      '2026-03-08T01:30:00-05:00',
      '2026-03-08T03:00:00-04:00',
      '2026-03-08T03:30:00-04:00',
    ]);
  });

  it('on the fall-back night the repeated hour has its slots twice', () => {
    const tenant = newYork({ businessHours: { sun: [['00:00', '03:00']] }, booking: { minimumNotice: 0, slotMinutes: 60 } });
    const slots = availableSlots({
      tenant,
      now: ny('2026-10-31T12:00:00-04:00'),
      busy: [],
      appointments: [],
      from: ny('2026-11-01T00:00:00-04:00'),
      to: ny('2026-11-02T00:00:00-05:00'),
    });
    expect(slots.map((slot) => slot.localStart)).toEqual([
      '2026-11-01T00:00:00-04:00',
      '2026-11-01T01:00:00-04:00',
      '2026-11-01T01:00:00-05:00',
      '2026-11-01T02:00:00-05:00',
    ]);
  });
});

describe('checkSlot', () => {
  const tenant = tenantOf();
  const now = sp('2026-03-02', '08:00');
  const slot = (date: string, time: string, minutes = 30) => {
    const start = sp(date, time);
    return { start, end: new Date(start.getTime() + minutes * 60_000) };
  };

  it.each([
    ['a free slot in business hours', slot('2026-03-02', '10:00'), { ok: true }],
    ['off the grid, still inside a window', slot('2026-03-02', '10:10'), { ok: true }],
    ['before the minimum notice', slot('2026-03-02', '09:30'), { ok: false, reason: 'before_minimum_notice' }],
    ['beyond the horizon', slot('2026-04-02', '10:00'), { ok: false, reason: 'beyond_horizon' }],
    ['over the lunch break', slot('2026-03-02', '11:45'), { ok: false, reason: 'outside_business_hours' }],
    ['on a Sunday', slot('2026-03-08', '10:00'), { ok: false, reason: 'outside_business_hours' }],
  ])('%s', (_label, candidate, expected) => {
    expect(checkSlot({ tenant, now, busy: [], appointments: [], slot: candidate })).toEqual(expected);
  });

  it('reports a busy slot with the interval it hits', () => {
    const meeting = busy(sp('2026-03-02', '10:15'), sp('2026-03-02', '11:00'));
    expect(checkSlot({ tenant, now, busy: [meeting], appointments: [], slot: slot('2026-03-02', '10:00') })).toEqual({
      ok: false,
      reason: 'busy',
      conflict: meeting,
    });
  });

  it('back-to-back meetings do not conflict without buffers', () => {
    const meeting = busy(sp('2026-03-02', '10:30'), sp('2026-03-02', '11:00'));
    expect(checkSlot({ tenant, now, busy: [meeting], appointments: [], slot: slot('2026-03-02', '10:00') }).ok).toBe(true);
  });
});

describe('nearestSlots', () => {
  const slots = availableSlots({ tenant: tenantOf(), now: mondayEarly, busy: [], appointments: [], ...monday });

  it('picks the nearest starts in both directions, the earlier first on a tie', () => {
    expect(nearestSlots(slots, { start: sp('2026-03-02', '11:15') }).map((slot) => slot.localStart.slice(11, 16))).toEqual([
      '11:00',
      '11:30',
      '10:30',
    ]);
  });

  it('reaches across the lunch break and returns fewer when fewer exist', () => {
    expect(nearestSlots(slots, { start: sp('2026-03-02', '12:30'), count: 2 }).map((slot) => slot.localStart.slice(11, 16))).toEqual([
      '13:00',
      '11:30',
    ]);
    expect(nearestSlots(slots.slice(0, 2), { start: sp('2026-03-02', '12:30') })).toHaveLength(2);
  });
});

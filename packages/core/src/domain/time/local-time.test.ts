import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addLocalDays,
  daysBetween,
  formatLocal,
  localParts,
  minutesOf,
  toZonedIso,
  weekdayOf,
  weekdays,
  zonedInstant,
} from './local-time.js';

const iso = (date: Date) => date.toISOString();

describe('zonedInstant', () => {
  it.each([
    // São Paulo: -03:00 all year since 2019
    ['2026-01-15', '09:00', 'America/Sao_Paulo', '2026-01-15T12:00:00.000Z'],
    ['2026-07-15', '09:00', 'America/Sao_Paulo', '2026-07-15T12:00:00.000Z'],
    ['2026-03-02', '10:00', 'America/Sao_Paulo', '2026-03-02T13:00:00.000Z'],
    // New York, standard and daylight time around 2026-03-08 and 2026-11-01
    ['2026-03-06', '09:00', 'America/New_York', '2026-03-06T14:00:00.000Z'],
    ['2026-03-09', '09:00', 'America/New_York', '2026-03-09T13:00:00.000Z'],
    ['2026-10-30', '09:00', 'America/New_York', '2026-10-30T13:00:00.000Z'],
    ['2026-11-02', '09:00', 'America/New_York', '2026-11-02T14:00:00.000Z'],
    // Lisbon, around 2026-03-29 and 2026-10-25
    ['2026-03-27', '09:00', 'Europe/Lisbon', '2026-03-27T09:00:00.000Z'],
    ['2026-03-30', '09:00', 'Europe/Lisbon', '2026-03-30T08:00:00.000Z'],
    ['2026-10-23', '09:00', 'Europe/Lisbon', '2026-10-23T08:00:00.000Z'],
    ['2026-10-26', '09:00', 'Europe/Lisbon', '2026-10-26T09:00:00.000Z'],
    ['2026-03-02', '00:00', 'UTC', '2026-03-02T00:00:00.000Z'],
  ])('%s %s in %s ⇒ %s', (date, time, zone, expected) => {
    expect(iso(zonedInstant(date, time, zone))).toBe(expected);
  });

  it('reads 24:00 as the next midnight', () => {
    expect(iso(zonedInstant('2026-03-02', '24:00', 'America/Sao_Paulo'))).toBe('2026-03-03T03:00:00.000Z');
    expect(iso(zonedInstant('2026-12-31', '24:00', 'UTC'))).toBe('2027-01-01T00:00:00.000Z');
    // the day before the spring-forward: 24:00 is 00:00 EST of the 8th
    expect(iso(zonedInstant('2026-03-07', '24:00', 'America/New_York'))).toBe('2026-03-08T05:00:00.000Z');
  });

  it('moves a non-existent local time (spring-forward gap) forward by the gap', () => {
    // New York: 02:00 EST jumps to 03:00 EDT; 02:30 does not exist ⇒ 03:30 EDT
    expect(iso(zonedInstant('2026-03-08', '02:30', 'America/New_York'))).toBe('2026-03-08T07:30:00.000Z');
    expect(iso(zonedInstant('2026-03-08', '02:00', 'America/New_York'))).toBe('2026-03-08T07:00:00.000Z');
    expect(iso(zonedInstant('2026-03-08', '03:00', 'America/New_York'))).toBe('2026-03-08T07:00:00.000Z');
    // Lisbon: 01:00 WET jumps to 02:00 WEST; 01:30 ⇒ 02:30 WEST
    expect(iso(zonedInstant('2026-03-29', '01:30', 'Europe/Lisbon'))).toBe('2026-03-29T01:30:00.000Z');
  });

  it('takes the earlier instant of an ambiguous local time (fall-back overlap)', () => {
    // New York: 01:30 happens at -04:00 then at -05:00
    expect(iso(zonedInstant('2026-11-01', '01:30', 'America/New_York'))).toBe('2026-11-01T05:30:00.000Z');
    // Lisbon: 01:30 happens at +01:00 then at +00:00
    expect(iso(zonedInstant('2026-10-25', '01:30', 'Europe/Lisbon'))).toBe('2026-10-25T00:30:00.000Z');
  });

  it('rejects an impossible date or time', () => {
    expect(() => zonedInstant('2026-02-30', '09:00', 'UTC')).toThrow();
    expect(() => zonedInstant('2026-03-02', '25:00', 'UTC')).toThrow();
    expect(() => zonedInstant('2026-03-02', '09:00', 'Mars/Base')).toThrow();
  });
});

describe('localParts', () => {
  it.each([
    [
      '2026-01-15T12:00:00Z',
      'America/Sao_Paulo',
      { date: '2026-01-15', time: '09:00', weekday: 'thu', minuteOfDay: 540, offset: '-03:00' },
    ],
    [
      '2026-07-15T12:00:00Z',
      'America/Sao_Paulo',
      { date: '2026-07-15', time: '09:00', weekday: 'wed', minuteOfDay: 540, offset: '-03:00' },
    ],
    // late evening in São Paulo is already the next day in UTC
    [
      '2026-03-03T02:30:00Z',
      'America/Sao_Paulo',
      { date: '2026-03-02', time: '23:30', weekday: 'mon', minuteOfDay: 1410, offset: '-03:00' },
    ],
    ['2026-03-08T06:59:00Z', 'America/New_York', { date: '2026-03-08', time: '01:59', weekday: 'sun', minuteOfDay: 119, offset: '-05:00' }],
    ['2026-03-08T07:00:00Z', 'America/New_York', { date: '2026-03-08', time: '03:00', weekday: 'sun', minuteOfDay: 180, offset: '-04:00' }],
    ['2026-11-01T05:30:00Z', 'America/New_York', { date: '2026-11-01', time: '01:30', weekday: 'sun', minuteOfDay: 90, offset: '-04:00' }],
    ['2026-11-01T06:30:00Z', 'America/New_York', { date: '2026-11-01', time: '01:30', weekday: 'sun', minuteOfDay: 90, offset: '-05:00' }],
    ['2026-03-29T00:59:00Z', 'Europe/Lisbon', { date: '2026-03-29', time: '00:59', weekday: 'sun', minuteOfDay: 59, offset: '+00:00' }],
    ['2026-03-29T01:00:00Z', 'Europe/Lisbon', { date: '2026-03-29', time: '02:00', weekday: 'sun', minuteOfDay: 120, offset: '+01:00' }],
  ] as const)('%s in %s', (instant, zone, expected) => {
    expect(localParts(new Date(instant), zone)).toEqual(expected);
  });

  it('uses the historical rules: São Paulo had DST until 2019', () => {
    expect(localParts(new Date('2018-12-15T12:00:00Z'), 'America/Sao_Paulo').offset).toBe('-02:00');
    expect(localParts(new Date('2026-12-15T12:00:00Z'), 'America/Sao_Paulo').offset).toBe('-03:00');
  });

  it('round-trips with zonedInstant for every existing local time', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }).map((ms) => new Date(Math.floor(ms / 60_000) * 60_000)),
        fc.constantFrom('America/Sao_Paulo', 'America/New_York', 'Europe/Lisbon', 'UTC', 'Asia/Kolkata'),
        (at, zone) => {
          const parts = localParts(at, zone);
          const back = zonedInstant(parts.date, parts.time, zone);
          // an ambiguous local time maps back to its earlier instant: at most one hour earlier
          expect(at.getTime() - back.getTime()).toBeGreaterThanOrEqual(0);
          expect(at.getTime() - back.getTime()).toBeLessThanOrEqual(3_600_000);
          expect(weekdayOf(parts.date)).toBe(parts.weekday);
        },
      ),
    );
  });
});

describe('local date arithmetic', () => {
  it.each([
    ['2026-02-28', 1, '2026-03-01'],
    ['2028-02-28', 1, '2028-02-29'],
    ['2026-12-31', 1, '2027-01-01'],
    ['2026-03-01', -1, '2026-02-28'],
    ['2026-03-07', 2, '2026-03-09'],
    ['2026-03-02', 0, '2026-03-02'],
    ['2026-01-31', 30, '2026-03-02'],
  ])('addLocalDays(%s, %i) ⇒ %s', (date, days, expected) => {
    expect(addLocalDays(date, days)).toBe(expected);
  });

  it.each([
    ['2026-03-01', '2026-03-31', 30],
    ['2026-03-31', '2026-03-01', -30],
    ['2026-03-07', '2026-03-09', 2],
    ['2026-10-24', '2026-10-26', 2],
    ['2026-01-01', '2027-01-01', 365],
    ['2028-01-01', '2029-01-01', 366],
    ['2026-03-02', '2026-03-02', 0],
  ])('daysBetween(%s, %s) ⇒ %i (calendar days, not 24 h periods)', (from, to, expected) => {
    expect(daysBetween(from, to)).toBe(expected);
  });

  it('addLocalDays and daysBetween agree', () => {
    fc.assert(
      fc.property(fc.integer({ min: -800, max: 800 }), (days) => {
        expect(daysBetween('2026-03-08', addLocalDays('2026-03-08', days))).toBe(days);
      }),
    );
  });

  it.each([
    ['2026-03-02', 'mon'],
    ['2026-03-08', 'sun'],
    ['2026-04-21', 'tue'],
    ['2026-10-25', 'sun'],
    ['2026-03-07', 'sat'],
  ] as const)('weekdayOf(%s) ⇒ %s', (date, weekday) => {
    expect(weekdayOf(date)).toBe(weekday);
  });

  it('lists weekdays from Monday', () => {
    expect(weekdays).toEqual(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
  });

  it.each([
    ['00:00', 0],
    ['09:30', 570],
    ['23:59', 1439],
    ['24:00', 1440],
  ])('minutesOf(%s) ⇒ %i', (time, minutes) => {
    expect(minutesOf(time)).toBe(minutes);
  });
});

describe('toZonedIso', () => {
  it.each([
    ['2026-03-02T13:00:00Z', 'America/Sao_Paulo', '2026-03-02T10:00:00-03:00'],
    ['2026-03-09T13:00:00Z', 'America/New_York', '2026-03-09T09:00:00-04:00'],
    ['2026-03-06T14:00:00Z', 'America/New_York', '2026-03-06T09:00:00-05:00'],
    ['2026-10-26T09:00:00Z', 'Europe/Lisbon', '2026-10-26T09:00:00+00:00'],
    ['2026-10-23T08:00:00Z', 'Europe/Lisbon', '2026-10-23T09:00:00+01:00'],
    ['2026-03-02T13:00:00.789Z', 'UTC', '2026-03-02T13:00:00+00:00'],
  ])('%s in %s ⇒ %s', (instant, zone, expected) => {
    const text = toZonedIso(new Date(instant), zone);
    expect(text).toBe(expected);
    expect(new Date(text).getTime()).toBe(Math.floor(new Date(instant).getTime() / 1000) * 1000);
  });
});

describe('formatLocal', () => {
  // ICU may separate "AM" with a narrow no-break space.
  const normalise = (text: string) => text.replace(/\s/g, ' ');
  const at = new Date('2026-03-02T13:00:00Z');

  it('formats in pt-BR', () => {
    expect(normalise(formatLocal(at, 'America/Sao_Paulo', { locale: 'pt-BR' }))).toMatch(/^02\/03\/2026,? 10:00$/);
    expect(formatLocal(at, 'America/Sao_Paulo', { locale: 'pt-BR', style: 'date' })).toBe('02/03/2026');
    expect(formatLocal(at, 'America/Sao_Paulo', { locale: 'pt-BR', style: 'time' })).toBe('10:00');
    expect(normalise(formatLocal(at, 'America/Sao_Paulo', { locale: 'pt-BR', style: 'weekday-datetime' }))).toMatch(
      /^seg\.?, 2 de mar\.? de 2026,? 10:00$/,
    );
  });

  it('formats in English by default', () => {
    expect(normalise(formatLocal(at, 'America/Sao_Paulo'))).toBe('03/02/2026, 10:00 AM');
    expect(formatLocal(at, 'America/Sao_Paulo', { style: 'date' })).toBe('03/02/2026');
    expect(normalise(formatLocal(at, 'America/Sao_Paulo', { locale: 'en', style: 'time' }))).toBe('10:00 AM');
    expect(normalise(formatLocal(at, 'America/Sao_Paulo', { locale: 'en', style: 'weekday-datetime' }))).toBe('Mon, Mar 2, 2026, 10:00 AM');
  });

  it('uses the zone, across DST', () => {
    expect(normalise(formatLocal(new Date('2026-03-09T13:00:00Z'), 'America/New_York', { style: 'time' }))).toBe('09:00 AM');
    expect(normalise(formatLocal(new Date('2026-03-06T14:00:00Z'), 'America/New_York', { style: 'time' }))).toBe('09:00 AM');
  });
});

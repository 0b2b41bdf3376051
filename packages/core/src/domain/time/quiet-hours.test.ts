import { describe, expect, it } from 'vitest';
import { isQuiet, quietPeriodAt, type QuietHours } from './quiet-hours.js';

const night: QuietHours = ['22:00', '08:00'];
const at = (instant: string) => new Date(instant);
const period = (instant: string, hours: QuietHours | null | undefined, zone: string) => {
  const found = quietPeriodAt(at(instant), hours, zone);
  return found && [found.start.toISOString(), found.end.toISOString()];
};

describe('quiet hours wrapping midnight (São Paulo)', () => {
  const zone = 'America/Sao_Paulo';

  it.each([
    ['2026-03-03T00:59:00Z', false, '21:59'],
    ['2026-03-03T01:00:00Z', true, '22:00 (start included)'],
    ['2026-03-03T05:00:00Z', true, '02:00'],
    ['2026-03-03T10:59:00Z', true, '07:59'],
    ['2026-03-03T11:00:00Z', false, '08:00 (end excluded)'],
    ['2026-03-03T15:00:00Z', false, 'midday'],
  ])('%s ⇒ quiet %s (%s)', (instant, quiet) => {
    expect(isQuiet(at(instant), night, zone)).toBe(quiet);
  });

  it('returns the whole period, whichever side of midnight the instant is on', () => {
    const expected = ['2026-03-03T01:00:00.000Z', '2026-03-03T11:00:00.000Z'];
    expect(period('2026-03-03T02:00:00Z', night, zone)).toEqual(expected); // 23:00 on the 2nd
    expect(period('2026-03-03T04:00:00Z', night, zone)).toEqual(expected); // 01:00 on the 3rd
    expect(period('2026-03-03T15:00:00Z', night, zone)).toBeUndefined();
  });
});

describe('quiet hours within one day', () => {
  it('covers [start, end)', () => {
    const lunch: QuietHours = ['12:00', '14:00'];
    expect(period('2026-03-02T15:30:00Z', lunch, 'America/Sao_Paulo')).toEqual(['2026-03-02T15:00:00.000Z', '2026-03-02T17:00:00.000Z']);
    expect(isQuiet(at('2026-03-02T17:00:00Z'), lunch, 'America/Sao_Paulo')).toBe(false);
    expect(isQuiet(at('2026-03-02T14:59:00Z'), lunch, 'America/Sao_Paulo')).toBe(false);
  });

  it('can start at midnight', () => {
    expect(period('2026-03-02T05:00:00Z', ['00:00', '06:00'], 'America/Sao_Paulo')).toEqual([
      '2026-03-02T03:00:00.000Z',
      '2026-03-02T09:00:00.000Z',
    ]);
  });
});

describe('no quiet hours', () => {
  it.each([null, undefined])('%s ⇒ never quiet', (hours) => {
    expect(isQuiet(at('2026-03-03T05:00:00Z'), hours, 'UTC')).toBe(false);
    expect(quietPeriodAt(at('2026-03-03T05:00:00Z'), hours, 'UTC')).toBeUndefined();
  });

  it('start = end is an empty period, never quiet', () => {
    for (const instant of ['2026-03-03T21:59:00Z', '2026-03-03T22:00:00Z', '2026-03-03T22:01:00Z', '2026-03-03T10:00:00Z']) {
      expect(isQuiet(at(instant), ['22:00', '22:00'], 'UTC')).toBe(false);
    }
  });
});

describe('quiet hours on DST nights', () => {
  it('the spring-forward night in New York is one hour shorter', () => {
    // 22:00 EST on the 7th ⇒ 08:00 EDT on the 8th: 9 hours
    const found = period('2026-03-08T06:00:00Z', night, 'America/New_York');
    expect(found).toEqual(['2026-03-08T03:00:00.000Z', '2026-03-08T12:00:00.000Z']);
    expect(isQuiet(at('2026-03-08T11:59:00Z'), night, 'America/New_York')).toBe(true);
    expect(isQuiet(at('2026-03-08T12:00:00Z'), night, 'America/New_York')).toBe(false);
  });

  it('the fall-back night in New York is one hour longer', () => {
    // 22:00 EDT on 10/31 ⇒ 08:00 EST on 11/1: 11 hours
    expect(period('2026-11-01T06:30:00Z', night, 'America/New_York')).toEqual(['2026-11-01T02:00:00.000Z', '2026-11-01T13:00:00.000Z']);
    expect(isQuiet(at('2026-11-01T12:30:00Z'), night, 'America/New_York')).toBe(true); // 07:30 EST
    expect(isQuiet(at('2026-11-01T13:00:00Z'), night, 'America/New_York')).toBe(false);
  });

  it('the DST nights in Lisbon', () => {
    expect(period('2026-03-29T01:30:00Z', night, 'Europe/Lisbon')).toEqual(['2026-03-28T22:00:00.000Z', '2026-03-29T07:00:00.000Z']);
    expect(period('2026-10-25T01:30:00Z', night, 'Europe/Lisbon')).toEqual(['2026-10-24T21:00:00.000Z', '2026-10-25T08:00:00.000Z']);
  });

  it('a quiet period starting inside the skipped hour starts when the clock jumps', () => {
    const early: QuietHours = ['02:30', '06:00'];
    expect(isQuiet(at('2026-03-08T07:00:00Z'), early, 'America/New_York')).toBe(false); // 03:00 EDT
    expect(period('2026-03-08T07:30:00Z', early, 'America/New_York')).toEqual(['2026-03-08T07:30:00.000Z', '2026-03-08T10:00:00.000Z']);
  });
});

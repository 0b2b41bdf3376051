import { describe, expect, it, vi } from 'vitest';
import { ValidationError } from '../../errors/index.js';
import type { Logger } from '../../ports/logger/logger.js';
import { BusinessCalendar, type WeeklyHours } from './business-calendar.js';
import type { Interval } from './local-time.js';

const weekdaysWithLunch: WeeklyHours = {
  mon: [
    ['09:00', '12:00'],
    ['13:00', '18:00'],
  ],
  tue: [
    ['09:00', '12:00'],
    ['13:00', '18:00'],
  ],
  wed: [
    ['09:00', '12:00'],
    ['13:00', '18:00'],
  ],
  thu: [
    ['09:00', '12:00'],
    ['13:00', '18:00'],
  ],
  fri: [
    ['09:00', '12:00'],
    ['13:00', '18:00'],
  ],
};
const nineToSix: WeeklyHours = {
  mon: [['09:00', '18:00']],
  tue: [['09:00', '18:00']],
  wed: [['09:00', '18:00']],
  thu: [['09:00', '18:00']],
  fri: [['09:00', '18:00']],
};

const at = (instant: string) => new Date(instant);
const iso = (date: Date | undefined) => date?.toISOString();
const show = (intervals: readonly Interval[]) => intervals.map(({ start, end }) => [start.toISOString(), end.toISOString()]);

function recordingLogger(): { readonly logger: Logger; readonly info: ReturnType<typeof vi.fn> } {
  const info = vi.fn();
  return { logger: { debug: vi.fn(), info, warn: vi.fn(), error: vi.fn() }, info };
}

let calendarNames = 0;
/** A fresh name per calendar: the "always open" notice is logged once per name per process. */
const uniqueName = () => `calendar-${++calendarNames}`;

describe('BusinessCalendar in São Paulo (no DST), with a lunch break, Saturday morning and a holiday', () => {
  const calendar = new BusinessCalendar({
    timeZone: 'America/Sao_Paulo',
    hours: { ...weekdaysWithLunch, sat: [['09:00', '13:00']] },
    holidays: ['2026-04-21'],
  });

  it('is configured', () => {
    expect(calendar.configured).toBe(true);
    expect(calendar.timeZone).toBe('America/Sao_Paulo');
  });

  it.each([
    ['2026-03-02T11:59:00Z', false, 'Mon 08:59'],
    ['2026-03-02T12:00:00Z', true, 'Mon 09:00 (opening instant included)'],
    ['2026-03-02T14:59:00Z', true, 'Mon 11:59'],
    ['2026-03-02T15:00:00Z', false, 'Mon 12:00 (closing instant excluded)'],
    ['2026-03-02T15:30:00Z', false, 'Mon lunch'],
    ['2026-03-02T16:00:00Z', true, 'Mon 13:00'],
    ['2026-03-02T20:59:00Z', true, 'Mon 17:59'],
    ['2026-03-02T21:00:00Z', false, 'Mon 18:00'],
    ['2026-03-07T13:00:00Z', true, 'Sat 10:00'],
    ['2026-03-07T16:00:00Z', false, 'Sat 13:00'],
    ['2026-03-08T15:00:00Z', false, 'Sun (closed day)'],
    ['2026-04-21T13:00:00Z', false, 'Tue 10:00, a holiday'],
    ['2026-04-22T13:00:00Z', true, 'Wed 10:00 after the holiday'],
  ])('isOpen(%s) ⇒ %s (%s)', (instant, open) => {
    expect(calendar.isOpen(at(instant))).toBe(open);
  });

  it('knows its holidays', () => {
    expect(calendar.isHoliday('2026-04-21')).toBe(true);
    expect(calendar.isHoliday('2026-04-22')).toBe(false);
    expect(calendar.windowsOn('2026-04-21')).toEqual([]);
  });

  it.each([
    ['2026-03-02T13:00:00Z', '2026-03-02T13:00:00.000Z', 'open: the instant itself'],
    ['2026-03-02T10:00:00Z', '2026-03-02T12:00:00.000Z', 'early morning: 09:00'],
    ['2026-03-02T15:30:00Z', '2026-03-02T16:00:00.000Z', 'lunch: 13:00'],
    ['2026-03-02T21:00:00Z', '2026-03-03T12:00:00.000Z', 'at closing: next morning'],
    ['2026-03-06T22:00:00Z', '2026-03-07T12:00:00.000Z', 'Friday evening: Saturday 09:00'],
    ['2026-03-07T17:00:00Z', '2026-03-09T12:00:00.000Z', 'Saturday afternoon: Monday 09:00'],
    ['2026-04-20T22:00:00Z', '2026-04-22T12:00:00.000Z', 'Monday evening before the holiday: Wednesday 09:00'],
  ])('nextOpening(%s) ⇒ %s (%s)', (instant, expected) => {
    expect(iso(calendar.nextOpening(at(instant)))).toBe(expected);
  });

  it('nextOpening returns a copy, never the argument', () => {
    const open = at('2026-03-02T13:00:00Z');
    expect(calendar.nextOpening(open)).not.toBe(open);
  });

  it.each([
    ['2026-03-02T15:30:00Z', '2026-03-02T15:00:00.000Z', 'lunch: 12:00 today'],
    ['2026-03-02T15:00:00Z', '2026-03-02T15:00:00.000Z', 'exactly at a closing: that closing'],
    ['2026-03-02T17:00:00Z', '2026-03-02T15:00:00.000Z', 'open in the afternoon: the lunch closing'],
    ['2026-03-02T13:00:00Z', '2026-02-28T16:00:00.000Z', 'Monday morning: Saturday 13:00'],
    ['2026-04-22T11:00:00Z', '2026-04-20T21:00:00.000Z', 'Wednesday before opening, after a holiday: Monday 18:00'],
  ])('previousClosing(%s) ⇒ %s (%s)', (instant, expected) => {
    expect(iso(calendar.previousClosing(at(instant)))).toBe(expected);
  });

  it('windowsOn lists the windows of a day in order', () => {
    expect(show(calendar.windowsOn('2026-03-02'))).toEqual([
      ['2026-03-02T12:00:00.000Z', '2026-03-02T15:00:00.000Z'],
      ['2026-03-02T16:00:00.000Z', '2026-03-02T21:00:00.000Z'],
    ]);
    expect(calendar.windowsOn('2026-03-08')).toEqual([]);
  });

  it('windows clips to the range and keeps the lunch gap', () => {
    expect(show(calendar.windows(at('2026-03-02T13:00:00Z'), at('2026-03-02T17:00:00Z')))).toEqual([
      ['2026-03-02T13:00:00.000Z', '2026-03-02T15:00:00.000Z'],
      ['2026-03-02T16:00:00.000Z', '2026-03-02T17:00:00.000Z'],
    ]);
  });

  it('windows over a week skips the closed Sunday and the holiday', () => {
    const result = calendar.windows(at('2026-04-18T00:00:00Z'), at('2026-04-23T03:00:00Z'));
    expect(show(result)).toEqual([
      ['2026-04-18T12:00:00.000Z', '2026-04-18T16:00:00.000Z'],
      ['2026-04-20T12:00:00.000Z', '2026-04-20T15:00:00.000Z'],
      ['2026-04-20T16:00:00.000Z', '2026-04-20T21:00:00.000Z'],
      ['2026-04-22T12:00:00.000Z', '2026-04-22T15:00:00.000Z'],
      ['2026-04-22T16:00:00.000Z', '2026-04-22T21:00:00.000Z'],
    ]);
  });

  it('windows of an empty or reversed range is empty', () => {
    expect(calendar.windows(at('2026-03-02T13:00:00Z'), at('2026-03-02T13:00:00Z'))).toEqual([]);
    expect(calendar.windows(at('2026-03-02T14:00:00Z'), at('2026-03-02T13:00:00Z'))).toEqual([]);
  });

  it('the offset stays -03:00 in southern summer and winter (no DST since 2019)', () => {
    expect(iso(calendar.nextOpening(at('2026-01-12T00:00:00Z')))).toBe('2026-01-12T12:00:00.000Z');
    expect(iso(calendar.nextOpening(at('2026-07-13T00:00:00Z')))).toBe('2026-07-13T12:00:00.000Z');
    expect(iso(calendar.nextOpening(at('2026-11-02T00:00:00Z')))).toBe('2026-11-02T12:00:00.000Z');
  });
});

describe('BusinessCalendar across DST in America/New_York', () => {
  const calendar = new BusinessCalendar({ timeZone: 'America/New_York', hours: nineToSix });

  it('09:00 is 14:00Z before the spring change and 13:00Z after it', () => {
    expect(iso(calendar.nextOpening(at('2026-03-06T12:00:00Z')))).toBe('2026-03-06T14:00:00.000Z');
    expect(iso(calendar.nextOpening(at('2026-03-09T12:00:00Z')))).toBe('2026-03-09T13:00:00.000Z');
    expect(calendar.isOpen(at('2026-03-09T13:00:00Z'))).toBe(true);
    expect(calendar.isOpen(at('2026-03-06T13:30:00Z'))).toBe(false);
  });

  it('09:00 is 13:00Z before the autumn change and 14:00Z after it', () => {
    expect(iso(calendar.nextOpening(at('2026-10-30T12:00:00Z')))).toBe('2026-10-30T13:00:00.000Z');
    expect(iso(calendar.nextOpening(at('2026-11-02T12:00:00Z')))).toBe('2026-11-02T14:00:00.000Z');
    expect(calendar.isOpen(at('2026-11-02T13:30:00Z'))).toBe(false);
  });

  it('nextOpening from Friday evening crosses a weekend with the spring change', () => {
    // Friday 2026-03-06 19:00 EST
    expect(iso(calendar.nextOpening(at('2026-03-07T00:00:00Z')))).toBe('2026-03-09T13:00:00.000Z');
  });

  it('nextOpening from Friday evening crosses a weekend with the autumn change', () => {
    // Friday 2026-10-30 19:00 EDT
    expect(iso(calendar.nextOpening(at('2026-10-30T23:00:00Z')))).toBe('2026-11-02T14:00:00.000Z');
  });

  it('previousClosing from Monday morning reaches back over the DST weekend', () => {
    // Monday 2026-03-09 08:00 EDT ⇒ Friday 18:00 EST
    expect(iso(calendar.previousClosing(at('2026-03-09T12:00:00Z')))).toBe('2026-03-06T23:00:00.000Z');
    // Monday 2026-11-02 08:00 EST ⇒ Friday 18:00 EDT
    expect(iso(calendar.previousClosing(at('2026-11-02T13:00:00Z')))).toBe('2026-10-30T22:00:00.000Z');
  });

  it('a window that includes the skipped 02:00–03:00 hour lasts one hour less', () => {
    const sunday = new BusinessCalendar({ timeZone: 'America/New_York', hours: { sun: [['01:00', '04:00']] } });
    expect(show(sunday.windowsOn('2026-03-08'))).toEqual([['2026-03-08T06:00:00.000Z', '2026-03-08T08:00:00.000Z']]);
    expect(sunday.isOpen(at('2026-03-08T07:00:00Z'))).toBe(true); // 03:00 EDT
    expect(sunday.isOpen(at('2026-03-08T08:00:00Z'))).toBe(false); // 04:00 EDT
    // the week before, the same window lasts three hours
    expect(show(sunday.windowsOn('2026-03-01'))).toEqual([['2026-03-01T06:00:00.000Z', '2026-03-01T09:00:00.000Z']]);
  });

  it('a window entirely inside the skipped hour does not exist that day', () => {
    const sunday = new BusinessCalendar({ timeZone: 'America/New_York', hours: { sun: [['02:00', '03:00']] } });
    expect(sunday.windowsOn('2026-03-08')).toEqual([]);
    expect(iso(sunday.nextOpening(at('2026-03-08T05:00:00Z')))).toBe('2026-03-15T06:00:00.000Z');
  });

  it('a window opening inside the skipped hour opens when the clock jumps', () => {
    const sunday = new BusinessCalendar({ timeZone: 'America/New_York', hours: { sun: [['02:30', '05:00']] } });
    expect(show(sunday.windowsOn('2026-03-08'))).toEqual([['2026-03-08T07:30:00.000Z', '2026-03-08T09:00:00.000Z']]);
  });

  it('a window over the repeated 01:00–02:00 hour lasts one hour more', () => {
    const sunday = new BusinessCalendar({ timeZone: 'America/New_York', hours: { sun: [['00:00', '03:00']] } });
    expect(show(sunday.windowsOn('2026-11-01'))).toEqual([['2026-11-01T04:00:00.000Z', '2026-11-01T08:00:00.000Z']]);
    expect(sunday.isOpen(at('2026-11-01T06:30:00Z'))).toBe(true); // the second 01:30
  });
});

describe('BusinessCalendar across DST in Europe/Lisbon', () => {
  const calendar = new BusinessCalendar({ timeZone: 'Europe/Lisbon', hours: nineToSix });

  it('09:00 is 09:00Z before the spring change and 08:00Z after it', () => {
    expect(iso(calendar.nextOpening(at('2026-03-27T07:00:00Z')))).toBe('2026-03-27T09:00:00.000Z');
    expect(iso(calendar.nextOpening(at('2026-03-30T07:00:00Z')))).toBe('2026-03-30T08:00:00.000Z');
  });

  it('09:00 is 08:00Z before the autumn change and 09:00Z after it', () => {
    expect(iso(calendar.nextOpening(at('2026-10-23T07:00:00Z')))).toBe('2026-10-23T08:00:00.000Z');
    expect(iso(calendar.nextOpening(at('2026-10-26T07:00:00Z')))).toBe('2026-10-26T09:00:00.000Z');
    expect(calendar.isOpen(at('2026-10-26T08:30:00Z'))).toBe(false);
  });

  it('nextOpening from Friday evening over the DST weekends', () => {
    expect(iso(calendar.nextOpening(at('2026-03-27T19:00:00Z')))).toBe('2026-03-30T08:00:00.000Z');
    expect(iso(calendar.nextOpening(at('2026-10-23T19:00:00Z')))).toBe('2026-10-26T09:00:00.000Z');
  });

  it('a whole day is 23 hours in spring and 25 hours in autumn', () => {
    const allDay = new BusinessCalendar({ timeZone: 'Europe/Lisbon', hours: { sun: [['00:00', '24:00']] } });
    const length = (date: string) => {
      const [window] = allDay.windowsOn(date);
      return window ? (window.end.getTime() - window.start.getTime()) / 3_600_000 : 0;
    };
    expect(length('2026-03-29')).toBe(23);
    expect(length('2026-10-25')).toBe(25);
    expect(length('2026-10-18')).toBe(24);
  });

  it('a window including the skipped 01:00–02:00 hour', () => {
    const sunday = new BusinessCalendar({ timeZone: 'Europe/Lisbon', hours: { sun: [['00:30', '03:00']] } });
    expect(show(sunday.windowsOn('2026-03-29'))).toEqual([['2026-03-29T00:30:00.000Z', '2026-03-29T02:00:00.000Z']]);
  });
});

describe('windows ending at 24:00', () => {
  const calendar = new BusinessCalendar({
    timeZone: 'America/Sao_Paulo',
    hours: {
      fri: [['18:00', '24:00']],
      sat: [
        ['00:00', '02:00'],
        ['10:00', '12:00'],
      ],
    },
  });

  it('merge across midnight in windows()', () => {
    expect(show(calendar.windows(at('2026-03-06T12:00:00Z'), at('2026-03-07T18:00:00Z')))).toEqual([
      ['2026-03-06T21:00:00.000Z', '2026-03-07T05:00:00.000Z'],
      ['2026-03-07T13:00:00.000Z', '2026-03-07T15:00:00.000Z'],
    ]);
  });

  it('windowsOn keeps the per-day windows unmerged', () => {
    expect(show(calendar.windowsOn('2026-03-06'))).toEqual([['2026-03-06T21:00:00.000Z', '2026-03-07T03:00:00.000Z']]);
  });

  it('is open at midnight and midnight is not a closing', () => {
    expect(calendar.isOpen(at('2026-03-07T03:00:00Z'))).toBe(true);
    expect(iso(calendar.previousClosing(at('2026-03-07T06:00:00Z')))).toBe('2026-03-07T05:00:00.000Z');
    // at 01:00 Saturday the business has been open since Friday 18:00: the last closing is a week earlier
    expect(iso(calendar.previousClosing(at('2026-03-07T04:00:00Z')))).toBe('2026-02-28T15:00:00.000Z');
  });

  it('nextOpening inside the night window is the instant itself', () => {
    expect(iso(calendar.nextOpening(at('2026-03-07T04:00:00Z')))).toBe('2026-03-07T04:00:00.000Z');
  });
});

describe('touching and overlapping windows on the same day', () => {
  it.each([
    [
      'touching',
      [
        ['09:00', '12:00'],
        ['12:00', '18:00'],
      ],
    ],
    [
      'overlapping',
      [
        ['09:00', '13:00'],
        ['12:00', '18:00'],
      ],
    ],
    [
      'nested',
      [
        ['09:00', '18:00'],
        ['12:00', '13:00'],
      ],
    ],
  ] as const)('%s windows: the business does not close in between', (_label, windows) => {
    const calendar = new BusinessCalendar({ timeZone: 'America/Sao_Paulo', hours: { mon: windows, tue: windows } });
    // Tuesday 15:00 local: the last closing is Monday 18:00, not Tuesday noon or 13:00
    expect(iso(calendar.previousClosing(at('2026-03-03T18:00:00Z')))).toBe('2026-03-02T21:00:00.000Z');
    expect(iso(calendar.previousClosing(at('2026-03-03T22:00:00Z')))).toBe('2026-03-03T21:00:00.000Z');
    expect(show(calendar.windows(at('2026-03-03T00:00:00Z'), at('2026-03-04T00:00:00Z')))).toEqual([
      ['2026-03-03T12:00:00.000Z', '2026-03-03T21:00:00.000Z'],
    ]);
    expect(calendar.isOpen(at('2026-03-03T15:00:00Z'))).toBe(true);
  });
});

describe('not configured ⇒ always open', () => {
  it.each([undefined, null])('hours %s', (hours) => {
    const calendar = new BusinessCalendar({ timeZone: 'America/Sao_Paulo', hours }, { name: uniqueName() });
    const instant = at('2026-03-08T07:00:00Z');
    expect(calendar.configured).toBe(false);
    expect(calendar.isOpen(instant)).toBe(true);
    expect(iso(calendar.nextOpening(instant))).toBe(iso(instant));
    expect(calendar.nextOpening(instant)).not.toBe(instant);
    expect(calendar.previousClosing(instant)).toBeUndefined();
    expect(show(calendar.windows(instant, at('2026-03-10T00:00:00Z')))).toEqual([['2026-03-08T07:00:00.000Z', '2026-03-10T00:00:00.000Z']]);
    expect(calendar.windows(instant, instant)).toEqual([]);
    expect(show(calendar.windowsOn('2026-03-08'))).toEqual([['2026-03-08T03:00:00.000Z', '2026-03-09T03:00:00.000Z']]);
  });

  it('holidays do not close an unconfigured calendar', () => {
    const calendar = new BusinessCalendar({ timeZone: 'UTC', holidays: ['2026-04-21'] }, { name: uniqueName() });
    expect(calendar.isOpen(at('2026-04-21T12:00:00Z'))).toBe(true);
  });

  it('logs the fallback once per calendar name', () => {
    const { logger, info } = recordingLogger();
    const name = uniqueName();
    new BusinessCalendar({ timeZone: 'America/Sao_Paulo' }, { name, logger });
    new BusinessCalendar({ timeZone: 'America/Sao_Paulo', hours: null }, { name, logger });
    expect(info).toHaveBeenCalledTimes(1);
    expect(info).toHaveBeenCalledWith({ calendar: name }, expect.stringContaining('always open'));

    const other = uniqueName();
    new BusinessCalendar({ timeZone: 'America/Sao_Paulo' }, { name: other, logger });
    expect(info).toHaveBeenCalledTimes(2);
    expect(info).toHaveBeenLastCalledWith({ calendar: other }, expect.any(String));
  });

  it('does not log for a configured calendar', () => {
    const { logger, info } = recordingLogger();
    new BusinessCalendar({ timeZone: 'America/Sao_Paulo', hours: nineToSix }, { name: uniqueName(), logger });
    expect(info).not.toHaveBeenCalled();
  });
});

describe('configurations that are wrong or never open', () => {
  it('a configuration without any window never opens: nextOpening is a ValidationError, not an endless search', () => {
    const calendar = new BusinessCalendar({ timeZone: 'America/Sao_Paulo', hours: { mon: [], sat: [] } });
    expect(calendar.configured).toBe(true);
    expect(calendar.isOpen(at('2026-03-02T13:00:00Z'))).toBe(false);
    expect(calendar.windows(at('2026-03-02T00:00:00Z'), at('2026-03-09T00:00:00Z'))).toEqual([]);
    expect(calendar.previousClosing(at('2026-03-02T13:00:00Z'))).toBeUndefined();
    let caught: unknown;
    try {
      calendar.nextOpening(at('2026-03-02T13:00:00Z'));
    } catch (error) {
      caught = error;
    }
    expect(ValidationError.isInstance(caught)).toBe(true);
    expect((caught as ValidationError).fieldErrors[0]?.field).toBe('businessHours');
  });

  it('rejects a window that closes at or before it opens, naming it', () => {
    expect(
      () =>
        new BusinessCalendar({
          timeZone: 'UTC',
          hours: {
            tue: [
              ['09:00', '12:00'],
              ['18:00', '13:00'],
            ],
          },
        }),
    ).toThrow(/^businessHours\.tue\.1: closes \(13:00\) at or before it opens \(18:00\)/);
    expect(() => new BusinessCalendar({ timeZone: 'UTC', hours: { mon: [['09:00', '09:00']] } })).toThrow(ValidationError);
    expect(() => new BusinessCalendar({ timeZone: 'UTC', hours: { mon: [['24:00', '24:00']] } })).toThrow(ValidationError);
  });

  it.each([
    ['9am', '18:00'],
    ['09:00', '6pm'],
    ['25:00', '26:00'],
    ['09:00', ''],
  ])('rejects a malformed time [%s, %s] when constructed, not on first use', (open, close) => {
    expect(() => new BusinessCalendar({ timeZone: 'UTC', hours: { wed: [[open, close]] } })).toThrow(/^businessHours\.wed\.0: /);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BusinessCalendar } from '../time/business-calendar.js';
import { isQuiet, quietPeriodAt, type QuietHours } from '../time/quiet-hours.js';
import { placeReengagement, placeReminder } from './follow-up-timing.js';

const hour = 3_600_000;
const instant = fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-12-31T00:00:00Z') }).map((ms) => new Date(ms));
const zone = fc.constantFrom('America/Sao_Paulo', 'America/New_York', 'Europe/Lisbon', 'Asia/Kolkata');
const quietHours = fc.constantFrom<QuietHours | null>(null, ['22:00', '08:00'], ['20:00', '09:30'], ['00:00', '06:00'], ['13:00', '14:00']);

describe('placeReminder (property)', () => {
  it('is never in the past, never at or after the start, and never inside quiet hours but at their very start', () => {
    fc.assert(
      fc.property(
        instant,
        fc.integer({ min: 1, max: 96 }).map((hours) => hours * hour),
        fc.integer({ min: 0, max: 72 * hour }),
        quietHours,
        zone,
        (bookedAt, offsetMs, leadMs, quiet, timeZone) => {
          const meetingStart = new Date(bookedAt.getTime() + leadMs);
          const placement = placeReminder({
            meetingStart,
            offsetMs,
            bookedAt,
            quietHours: quiet,
            minimumBeforeStartMs: 30 * 60_000,
            timeZone,
          });
          const base = meetingStart.getTime() - offsetMs;
          if (!placement.scheduled) {
            expect(placement.shifts.at(-1)?.type).toMatch(/^dropped_/);
            return;
          }
          expect(placement.dueAt.getTime()).toBeGreaterThanOrEqual(bookedAt.getTime());
          expect(placement.dueAt.getTime()).toBeLessThan(meetingStart.getTime());
          expect(base).toBeGreaterThanOrEqual(bookedAt.getTime());
          const period = quietPeriodAt(placement.dueAt, quiet, timeZone);
          if (period) expect(period.start.getTime()).toBe(placement.dueAt.getTime());
          if (placement.shifts.length === 0) expect(placement.dueAt.getTime()).toBe(base);
          if (placement.shifts[0]?.type === 'quiet_hours' && placement.shifts[0].moved === 'to_end') {
            expect(meetingStart.getTime() - placement.dueAt.getTime()).toBeGreaterThanOrEqual(30 * 60_000);
          }
        },
      ),
    );
  });

  it('a reminder whose time had not passed and is not in quiet hours is exactly start − offset', () => {
    fc.assert(
      fc.property(instant, zone, (start, timeZone) => {
        const bookedAt = new Date(start.getTime() - 48 * hour);
        const placement = placeReminder({
          meetingStart: start,
          offsetMs: 24 * hour,
          bookedAt,
          quietHours: null,
          minimumBeforeStartMs: 0,
          timeZone,
        });
        expect(placement).toEqual({ scheduled: true, dueAt: new Date(start.getTime() - 24 * hour), shifts: [] });
        expect(isQuiet(start, null, timeZone)).toBe(false);
      }),
    );
  });
});

describe('placeReengagement (property)', () => {
  it('lands at the first open instant at or after the base', () => {
    const calendar = (timeZone: string) =>
      new BusinessCalendar({
        timeZone,
        hours: {
          mon: [
            ['09:00', '12:00'],
            ['13:00', '18:00'],
          ],
          tue: [['09:00', '18:00']],
          wed: [['09:00', '18:00']],
          thu: [['09:00', '18:00']],
          fri: [['09:00', '17:00']],
          sat: [['10:00', '13:00']],
        },
        holidays: ['2026-04-21', '2026-12-25', '2027-01-01'],
      });
    fc.assert(
      fc.property(instant, zone, (base, timeZone) => {
        const business = calendar(timeZone);
        const placement = placeReengagement(base, business);
        expect(business.isOpen(placement.dueAt)).toBe(true);
        expect(placement.dueAt.getTime()).toBeGreaterThanOrEqual(base.getTime());
        expect(business.windows(base, placement.dueAt)).toEqual([]);
        expect(placement.shifts.length === 0).toBe(placement.dueAt.getTime() === base.getTime());
      }),
    );
  });
});

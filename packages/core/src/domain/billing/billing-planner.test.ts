import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ResolvedTemplate } from '../templates/resolve-template.js';
import { builtinTemplates } from '../templates/template-catalog.js';
import { BusinessCalendar, type WeeklyHours } from '../time/business-calendar.js';
import { addLocalDays, localParts, toZonedIso } from '../time/local-time.js';
import { billingStepLabel, billingStepTemplateKey, planBillingSteps, type PlanBillingStepsInput } from './billing-planner.js';
import { billingMessageVariables } from './billing-render.js';

const timeZone = 'America/Sao_Paulo';
const weekdaysOpen: WeeklyHours = Object.fromEntries(
  (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => [
    day,
    [
      ['09:00', '12:00'],
      ['13:00', '18:00'],
    ],
  ]),
);

const generic: ResolvedTemplate = {
  key: 'billing_step',
  locale: 'pt-BR',
  source: 'builtin',
  variations: [{ id: 'default', body: builtinTemplates.billing_step?.['pt-BR']?.body ?? '', weight: 1, active: true }],
};
const twoVariations: ResolvedTemplate = {
  key: 'billing_d0',
  locale: 'pt-BR',
  source: 'tenant',
  variations: [
    { id: 'a', body: 'A: {{customerName}} {{amount}}', weight: 1, active: true },
    { id: 'b', body: 'B: {{customerName}} {{amount}}', weight: 1, active: true },
  ],
};

function templatesFor(steps: readonly { offsetDays: number }[], override: Record<string, ResolvedTemplate> = {}) {
  return Object.fromEntries(steps.map((step) => [billingStepTemplateKey(step), override[billingStepTemplateKey(step)] ?? generic]));
}

function plan(overrides: Partial<PlanBillingStepsInput> & { readonly dueDate: string; readonly today: string }) {
  const steps = overrides.steps ?? [{ offsetDays: -3 }, { offsetDays: 0 }, { offsetDays: 3 }];
  return planBillingSteps({
    billingCycleId: '6ba7b810-9dad-51d1-80b4-00c04fd430c8',
    timeZone,
    sendTime: '10:00',
    calendar: new BusinessCalendar({ timeZone, hours: null }),
    recipientOptedOut: false,
    templates: templatesFor(steps),
    variables: billingMessageVariables({
      customerName: 'Ana',
      businessName: 'Acme',
      amount: 123456,
      currency: 'BRL',
      dueDate: overrides.dueDate,
      externalBillingId: 'INV-1',
      locale: 'pt-BR',
    }),
    ...overrides,
    steps,
  });
}

const summary = (steps: ReturnType<typeof plan>) =>
  steps.map((step) => ({ step: step.step, sendAt: toZonedIso(step.sendAt, timeZone), status: step.status, skipReason: step.skipReason }));

describe('planBillingSteps', () => {
  it('plans D-3, D0 and D+3 at 10:00 local by default, with the amount in pt-BR', () => {
    const steps = plan({ dueDate: '2026-03-10', today: '2026-03-02' });
    expect(summary(steps)).toEqual([
      { step: 'D-3', sendAt: '2026-03-07T10:00:00-03:00', status: 'scheduled', skipReason: null },
      { step: 'D0', sendAt: '2026-03-10T10:00:00-03:00', status: 'scheduled', skipReason: null },
      { step: 'D+3', sendAt: '2026-03-13T10:00:00-03:00', status: 'scheduled', skipReason: null },
    ]);
    expect(steps[1]?.text).toBe('Olá Ana, lembrete: sua fatura de R$ 1.234,56 vence em 10/03/2026.');
    expect(steps.map((step) => step.requestedTemplateKey)).toEqual(['billing_d-3', 'billing_d0', 'billing_d+3']);
    expect(steps[0]?.explanation).toMatchObject({ rule: 'billing.step', stepDate: '2026-03-07', nominalAt: '2026-03-07T10:00:00-03:00' });
  });

  it('labels steps D-3, D0, D+3', () => {
    expect([-3, 0, 3, 10].map(billingStepLabel)).toEqual(['D-3', 'D0', 'D+3', 'D+10']);
  });

  it('moves a step outside business hours to the next opening and explains the shift', () => {
    const steps = plan({ dueDate: '2026-03-10', today: '2026-03-02', calendar: new BusinessCalendar({ timeZone, hours: weekdaysOpen }) });
    // D-3 falls on Saturday 7 March: Monday 09:00 is the next opening.
    expect(toZonedIso(steps[0]!.sendAt, timeZone)).toBe('2026-03-09T09:00:00-03:00');
    expect(steps[0]?.explanation.shifts[0]).toMatch(/outside business hours: moved from 2026-03-07T10:00:00-03:00/);
  });

  it('moves a send time in the lunch break to the afternoon opening', () => {
    const steps = plan({
      dueDate: '2026-03-10',
      today: '2026-03-02',
      sendTime: '12:30',
      calendar: new BusinessCalendar({ timeZone, hours: weekdaysOpen }),
    });
    expect(toZonedIso(steps[1]!.sendAt, timeZone)).toBe('2026-03-10T13:00:00-03:00');
  });

  it('skips a holiday', () => {
    const calendar = new BusinessCalendar({ timeZone, hours: weekdaysOpen, holidays: ['2026-03-10'] });
    const steps = plan({ dueDate: '2026-03-10', today: '2026-03-02', calendar });
    expect(toZonedIso(steps[1]!.sendAt, timeZone)).toBe('2026-03-11T09:00:00-03:00');
  });

  it('sends only the later of two steps moved onto the same day', () => {
    const steps = plan({
      dueDate: '2026-03-09',
      today: '2026-03-02',
      steps: [{ offsetDays: -2 }, { offsetDays: 0 }],
      calendar: new BusinessCalendar({ timeZone, hours: weekdaysOpen }),
    });
    expect(summary(steps)).toEqual([
      { step: 'D-2', sendAt: '2026-03-09T09:00:00-03:00', status: 'skipped', skipReason: 'superseded' },
      { step: 'D0', sendAt: '2026-03-09T10:00:00-03:00', status: 'scheduled', skipReason: null },
    ]);
  });

  it('sends the most recent past step today and skips the older ones as stale', () => {
    const steps = plan({ dueDate: '2026-03-10', today: '2026-03-11' });
    expect(summary(steps)).toEqual([
      { step: 'D-3', sendAt: '2026-03-07T10:00:00-03:00', status: 'skipped', skipReason: 'stale' },
      { step: 'D0', sendAt: '2026-03-11T10:00:00-03:00', status: 'scheduled', skipReason: null },
      { step: 'D+3', sendAt: '2026-03-13T10:00:00-03:00', status: 'scheduled', skipReason: null },
    ]);
    expect(steps[1]?.explanation.decision).toMatch(/most recent past step: sent today/);
  });

  it('skips the past step when another step falls today', () => {
    const steps = plan({ dueDate: '2026-03-10', today: '2026-03-10' });
    expect(steps.map((step) => [step.step, step.status, step.skipReason])).toEqual([
      ['D-3', 'skipped', 'superseded'],
      ['D0', 'scheduled', null],
      ['D+3', 'scheduled', null],
    ]);
  });

  it('sends one catch-up when every step is past', () => {
    const steps = plan({ dueDate: '2025-06-01', today: '2026-03-02' });
    expect(steps.map((step) => [step.step, step.status, step.skipReason])).toEqual([
      ['D-3', 'skipped', 'stale'],
      ['D0', 'skipped', 'stale'],
      ['D+3', 'scheduled', null],
    ]);
    expect(toZonedIso(steps[2]!.sendAt, timeZone)).toBe('2026-03-02T10:00:00-03:00');
  });

  it('moves a catch-up due on a closed day to the next opening, where a later step supersedes it', () => {
    // Today is Sunday 8 March; D0 was Friday; D+3 is Monday 9 March (offset 3 from Friday 6th).
    const steps = plan({ dueDate: '2026-03-06', today: '2026-03-08', calendar: new BusinessCalendar({ timeZone, hours: weekdaysOpen }) });
    expect(summary(steps)).toEqual([
      { step: 'D-3', sendAt: '2026-03-03T10:00:00-03:00', status: 'skipped', skipReason: 'stale' },
      { step: 'D0', sendAt: '2026-03-09T09:00:00-03:00', status: 'skipped', skipReason: 'superseded' },
      { step: 'D+3', sendAt: '2026-03-09T10:00:00-03:00', status: 'scheduled', skipReason: null },
    ]);
  });

  it('skips every step of an opted-out contact', () => {
    const steps = plan({ dueDate: '2026-03-10', today: '2026-03-02', recipientOptedOut: true });
    expect(steps.every((step) => step.status === 'skipped' && step.skipReason === 'opted_out')).toBe(true);
  });

  it('rejects a due date more than a year away, and two steps on one offset', () => {
    expect(() => plan({ dueDate: '2028-03-02', today: '2026-03-02' })).toThrow(/dueDate: is more than one year after today/);
    expect(() => plan({ dueDate: '2026-03-10', today: '2026-03-02', steps: [{ offsetDays: 0 }, { offsetDays: 0 }] })).toThrow(
      /billing\.steps: has two steps with offsetDays 0/,
    );
  });

  it('moves a send time in the spring-forward gap forward (New York)', () => {
    const steps = plan({
      dueDate: '2026-03-08',
      today: '2026-03-01',
      timeZone: 'America/New_York',
      sendTime: '02:30',
      steps: [{ offsetDays: 0 }],
      calendar: new BusinessCalendar({ timeZone: 'America/New_York', hours: null }),
    });
    expect(steps[0]?.sendAt.toISOString()).toBe('2026-03-08T07:30:00.000Z');
  });

  it('picks variations deterministically from the cycle id and step', () => {
    const steps = [{ offsetDays: 0 }];
    const input = { dueDate: '2026-03-10', today: '2026-03-02', steps, templates: templatesFor(steps, { billing_d0: twoVariations }) };
    const first = plan(input);
    expect(plan(input)).toEqual(first);
    const chosen = new Set(
      Array.from(
        { length: 40 },
        (_, index) => plan({ ...input, billingCycleId: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}` })[0]?.variationId,
      ),
    );
    expect(chosen).toEqual(new Set(['a', 'b']));
  });

  it('property: nothing before today, one message a day, at most one catch-up, nothing to an opted-out contact', () => {
    const days = fc.integer({ min: 0, max: 730 });
    fc.assert(
      fc.property(
        days,
        fc.integer({ min: -365, max: 365 }),
        fc.uniqueArray(fc.integer({ min: -20, max: 20 }), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        fc.boolean(),
        (todayOffset, dueOffset, offsets, withHours, optedOut) => {
          const today = addLocalDays('2025-01-01', todayOffset);
          const dueDate = addLocalDays(today, dueOffset);
          const steps = offsets.map((offsetDays) => ({ offsetDays }));
          const input = {
            dueDate,
            today,
            steps,
            recipientOptedOut: optedOut,
            calendar: new BusinessCalendar({ timeZone, hours: withHours ? weekdaysOpen : null, holidays: [addLocalDays(today, 1)] }),
          };
          const planned = plan(input);
          const scheduled = planned.filter((step) => step.status === 'scheduled');
          const localDates = scheduled.map((step) => localParts(step.sendAt, timeZone).date);
          expect(planned).toHaveLength(steps.length);
          expect(localDates.every((date) => date >= today)).toBe(true);
          expect(new Set(localDates).size).toBe(localDates.length);
          expect(scheduled.filter((step) => step.stepDate < today).length).toBeLessThanOrEqual(1);
          if (optedOut) expect(scheduled).toHaveLength(0);
          expect(planned.some((step) => step.text.includes('{{'))).toBe(false);
          expect(plan(input)).toEqual(planned);
        },
      ),
      { numRuns: 200 },
    );
  });
});

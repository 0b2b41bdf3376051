import { describe, expect, it } from 'vitest';
import { reminderDedupeKey } from './dedupe-keys.js';
import { decideFollowUp } from './follow-up-policy.js';
import type { FollowUpEvent, FollowUpPolicyInput } from './follow-up-types.js';
import { appointment, commandsOf, config, lead, pending, schedules, weekdaysNineToSix } from './__fixtures__/policy-fixtures.js';

const at = (iso: string) => new Date(iso);
// Monday 2026-03-02 10:00 in São Paulo (UTC−3)
const monday10 = at('2026-03-02T13:00:00Z');
const quiet = config({ quietHours: ['22:00', '08:00'] });

function run(event: FollowUpEvent, overrides: Partial<FollowUpPolicyInput> = {}) {
  return decideFollowUp({ lead: lead(), event, now: monday10, config: config(), pending: [], ...overrides });
}

function book(start: string, overrides: Partial<FollowUpPolicyInput> = {}) {
  return run({ type: 'meeting_booked', appointment: appointment(start) }, overrides);
}

describe('rule 5: a booked meeting', () => {
  it('moves the lead to meeting_scheduled, cancels re-engagements and schedules both reminders', () => {
    const decision = book('2026-03-05T17:00:00Z', { pending: [pending('reengage_1', 'k1')] });
    expect(commandsOf(decision.commands, 'change_stage')).toEqual([
      expect.objectContaining({ from: 'qualifying', to: 'meeting_scheduled', source: 'automation' }),
    ]);
    expect(commandsOf(decision.commands, 'cancel')).toEqual([
      expect.objectContaining({ filter: { kinds: ['reengage_1', 'reengage_2', 'give_up'] }, reason: 'meeting_booked' }),
    ]);
    expect(schedules(decision.commands)).toEqual([
      ['reminder_24h', '2026-03-04T17:00:00.000Z'],
      ['reminder_2h', '2026-03-05T15:00:00.000Z'],
    ]);
    const reminder = commandsOf(decision.commands, 'schedule')[0];
    expect(reminder).toMatchObject({
      appointmentId: appointment('2026-03-05T17:00:00Z').id,
      dedupeKey: reminderDedupeKey('reminder_24h', appointment('2026-03-05T17:00:00Z').id, at('2026-03-05T17:00:00Z')),
      payload: { meetingStart: '2026-03-05T17:00:00.000Z' },
    });
    expect(reminder?.explanation.rule).toBe('4.2.5');
    expect(decision.dropped).toEqual([]);
  });

  it('reminders ignore business hours: a Sunday meeting still gets both', () => {
    expect(schedules(book('2026-03-08T13:00:00Z').commands)).toEqual([
      ['reminder_24h', '2026-03-07T13:00:00.000Z'],
      ['reminder_2h', '2026-03-08T11:00:00.000Z'],
    ]);
  });

  it('booked 3 h ahead: only the 2 h reminder; the 24 h one is dropped as past', () => {
    const decision = book('2026-03-02T16:00:00Z');
    expect(schedules(decision.commands)).toEqual([['reminder_2h', '2026-03-02T14:00:00.000Z']]);
    expect(decision.dropped).toEqual([
      {
        kind: 'reminder_24h',
        explanation: expect.objectContaining({
          rule: '4.2.5',
          shifts: [{ type: 'dropped_past', at: '2026-03-01T16:00:00.000Z', bookedAt: monday10.toISOString() }],
        }),
      },
    ]);
  });

  it('booked 1 h ahead: no reminder at all', () => {
    const decision = book('2026-03-02T14:00:00Z');
    expect(schedules(decision.commands)).toEqual([]);
    expect(decision.dropped.map((dropped) => dropped.kind)).toEqual(['reminder_24h', 'reminder_2h']);
  });

  it('booked exactly 2 h ahead: the 2 h reminder is due now, not late', () => {
    expect(schedules(book('2026-03-02T15:00:00Z').commands)).toEqual([['reminder_2h', '2026-03-02T13:00:00.000Z']]);
  });

  it('uses the tenant offsets', () => {
    const decision = book('2026-03-05T17:00:00Z', { config: config({ reminders: { first: '48h', second: '1h' } }) });
    expect(schedules(decision.commands)).toEqual([
      ['reminder_24h', '2026-03-03T17:00:00.000Z'],
      ['reminder_2h', '2026-03-05T16:00:00.000Z'],
    ]);
  });

  it('a lead already in meeting_scheduled stays there (no stage command)', () => {
    expect(commandsOf(book('2026-03-05T17:00:00Z', { lead: lead({ stage: 'meeting_scheduled' }) }).commands, 'change_stage')).toEqual([]);
  });

  it.each([
    ['opted out', lead({ optedOut: true }), config()],
    [
      'handed off, with reminders off while paused',
      lead({ automation: 'paused_handoff' }),
      config({ reminders: { whileAutomationPaused: false } }),
    ],
  ])('a lead %s gets no reminders (rule 6)', (_label, state, settings) => {
    const decision = book('2026-03-05T17:00:00Z', { lead: state, config: settings });
    expect(schedules(decision.commands)).toEqual([]);
    expect(decision.dropped.map((dropped) => dropped.explanation.rule)).toEqual(['4.2.6', '4.2.6']);
  });

  it('a handed-off lead still gets its reminders by default', () => {
    expect(schedules(book('2026-03-05T17:00:00Z', { lead: lead({ automation: 'paused_handoff' }) }).commands)).toHaveLength(2);
  });
});

describe('rule 7: reminders in quiet hours (22:00–08:00)', () => {
  it.each([
    // meeting (UTC), expected [kind, due] pairs, shift of the moved one
    [
      'Wednesday 09:00: the 2 h reminder (07:00) moves to the end of the quiet period, 08:00',
      '2026-03-04T12:00:00Z',
      [
        ['reminder_24h', '2026-03-03T12:00:00.000Z'],
        ['reminder_2h', '2026-03-04T11:00:00.000Z'],
      ],
      'to_end',
    ],
    [
      'Wednesday 08:15: 08:00 is only 15 min before, so the 2 h reminder moves to the start, Tuesday 22:00',
      '2026-03-04T11:15:00Z',
      [
        ['reminder_2h', '2026-03-04T01:00:00.000Z'],
        ['reminder_24h', '2026-03-03T11:15:00.000Z'],
      ],
      'to_start',
    ],
    [
      'Wednesday 23:00: the 24 h reminder (Tuesday 23:00) moves to Wednesday 08:00',
      '2026-03-05T02:00:00Z',
      [
        ['reminder_24h', '2026-03-04T11:00:00.000Z'],
        ['reminder_2h', '2026-03-05T00:00:00.000Z'],
      ],
      'to_end',
    ],
  ])('%s', (_label, start, expected, moved) => {
    const decision = book(start, { config: quiet });
    expect(schedules(decision.commands).sort()).toEqual([...expected].sort());
    const shifts = commandsOf(decision.commands, 'schedule').flatMap((command) => command.explanation.shifts);
    expect(shifts).toEqual([expect.objectContaining({ type: 'quiet_hours', moved })]);
  });

  it('a reminder moved to the start of a quiet period that began before the booking is dropped', () => {
    // booked Tuesday 22:30 for Wednesday 08:15
    const decision = book('2026-03-04T11:15:00Z', { config: quiet, now: at('2026-03-04T01:30:00Z') });
    expect(schedules(decision.commands)).toEqual([]);
    const twoHour = decision.dropped.find((dropped) => dropped.kind === 'reminder_2h');
    expect(twoHour?.explanation.shifts.map((shift) => shift.type)).toEqual(['quiet_hours', 'dropped_past']);
  });

  it('the minimum before the start is configurable', () => {
    const strict = config({ quietHours: ['22:00', '08:00'], reminders: { minimumBeforeStart: '2h' } });
    const decision = book('2026-03-04T12:00:00Z', { config: strict });
    expect(schedules(decision.commands)).toContainEqual(['reminder_2h', '2026-03-04T01:00:00.000Z']);
  });

  it('a reminder that would land at the meeting start is dropped', () => {
    const decision = book('2026-03-05T17:00:00Z', { config: config({ reminders: { second: '0m' } }) });
    expect(schedules(decision.commands)).toEqual([['reminder_24h', '2026-03-04T17:00:00.000Z']]);
    expect(decision.dropped[0]?.explanation.shifts).toEqual([
      { type: 'dropped_after_start', at: '2026-03-05T17:00:00.000Z', meetingStart: '2026-03-05T17:00:00.000Z' },
    ]);
  });

  it('quiet hours across the spring DST change in New York are measured in local time', () => {
    const newYork = config({
      timeZone: 'America/New_York',
      businessHours: weekdaysNineToSix,
      quietHours: ['22:00', '08:00'],
      holidays: [],
    });
    // Sunday 2026-03-08 09:00 EDT; the 2 h reminder (07:00 EDT) moves to 08:00 EDT = 12:00Z
    const decision = book('2026-03-08T13:00:00Z', { config: newYork, now: at('2026-03-06T15:00:00Z') });
    expect(schedules(decision.commands)).toContainEqual(['reminder_2h', '2026-03-08T12:00:00.000Z']);
    // the 24 h reminder is 24 elapsed hours earlier: Saturday 08:00 EST = 13:00Z, not in quiet hours
    expect(schedules(decision.commands)).toContainEqual(['reminder_24h', '2026-03-07T13:00:00.000Z']);
  });
});

describe('rule 5: rescheduled and cancelled meetings', () => {
  const before = appointment('2026-03-05T17:00:00Z');
  const oldKeys = [reminderDedupeKey('reminder_24h', before.id, before.start), reminderDedupeKey('reminder_2h', before.id, before.start)];
  const oldPending = oldKeys.map((key, index) => pending(index === 0 ? 'reminder_24h' : 'reminder_2h', key, { appointmentId: before.id }));

  it('rescheduled to a new appointment: old reminders cancelled, new ones scheduled', () => {
    const after = appointment('2026-03-06T17:00:00Z', { id: 'f3a1c2d4-5b6e-4f70-8a91-b2c3d4e5f607' });
    const decision = run(
      { type: 'meeting_rescheduled', previous: { ...before, status: 'cancelled' }, appointment: after },
      { pending: oldPending, lead: lead({ stage: 'meeting_scheduled' }) },
    );
    expect(commandsOf(decision.commands, 'cancel')).toEqual([
      expect.objectContaining({ filter: { dedupeKeys: oldKeys }, reason: 'rescheduled' }),
    ]);
    expect(schedules(decision.commands)).toEqual([
      ['reminder_24h', '2026-03-05T17:00:00.000Z'],
      ['reminder_2h', '2026-03-06T15:00:00.000Z'],
    ]);
    expect(commandsOf(decision.commands, 'schedule').every((command) => command.appointmentId === after.id)).toBe(true);
  });

  it('rescheduled in place (same appointment id): the new start gives new keys', () => {
    const moved = { ...before, start: at('2026-03-06T17:00:00Z'), end: at('2026-03-06T17:30:00Z') };
    const decision = run({ type: 'meeting_rescheduled', previous: before, appointment: moved }, { pending: oldPending });
    expect(commandsOf(decision.commands, 'cancel')[0]?.filter).toEqual({ dedupeKeys: oldKeys });
    expect(commandsOf(decision.commands, 'schedule').map((command) => command.dedupeKey)).not.toContain(oldKeys[0]);
  });

  it('a replayed reschedule cancels nothing more', () => {
    const after = appointment('2026-03-06T17:00:00Z', { id: 'f3a1c2d4-5b6e-4f70-8a91-b2c3d4e5f607' });
    const newPending = [
      pending('reminder_24h', reminderDedupeKey('reminder_24h', after.id, after.start), { appointmentId: after.id }),
      pending('reminder_2h', reminderDedupeKey('reminder_2h', after.id, after.start), { appointmentId: after.id }),
    ];
    const decision = run({ type: 'meeting_rescheduled', previous: before, appointment: after }, { pending: newPending });
    expect(commandsOf(decision.commands, 'cancel')).toEqual([]);
  });

  it('cancelled: its reminders are cancelled, the stage is left alone', () => {
    const decision = run(
      { type: 'meeting_cancelled', appointment: { ...before, status: 'cancelled' } },
      { pending: oldPending, lead: lead({ stage: 'meeting_scheduled' }) },
    );
    expect(decision.commands).toEqual([
      expect.objectContaining({
        type: 'cancel',
        filter: { kinds: ['reminder_24h', 'reminder_2h'], appointmentId: before.id },
        reason: 'meeting_cancelled',
      }),
    ]);
  });
});

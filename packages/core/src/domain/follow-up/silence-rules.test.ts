import { describe, expect, it } from 'vitest';
import { silenceDedupeKey } from './dedupe-keys.js';
import { decideFollowUp } from './follow-up-policy.js';
import type { FollowUpEvent, FollowUpPolicyInput } from './follow-up-types.js';
import { commandsOf, config, lead, pending, schedules, weekdaysNineToSix } from './__fixtures__/policy-fixtures.js';

const at = (iso: string) => new Date(iso);

function run(event: FollowUpEvent, overrides: Partial<FollowUpPolicyInput> = {}) {
  return decideFollowUp({ lead: lead(), event, now: at('2026-03-02T13:00:00Z'), config: config(), pending: [], ...overrides });
}

describe('rule 1: re-engagement #1 after the silence starts', () => {
  it.each([
    ['Monday 10:00 ⇒ 10:30, no shift', '2026-03-02T13:00:00Z', '2026-03-02T13:30:00.000Z', []],
    ['Monday 17:29 ⇒ 17:59, still open', '2026-03-02T20:29:00Z', '2026-03-02T20:59:00.000Z', []],
    ['Monday 17:30 ⇒ 18:00 is closed ⇒ Tuesday 09:00', '2026-03-02T20:30:00Z', '2026-03-03T12:00:00.000Z', ['business_hours']],
    ['Friday 17:50 ⇒ 18:20 Friday is closed ⇒ Monday 09:00', '2026-03-06T20:50:00Z', '2026-03-09T12:00:00.000Z', ['business_hours']],
    ['Saturday noon ⇒ Monday 09:00', '2026-03-07T15:00:00Z', '2026-03-09T12:00:00.000Z', ['business_hours']],
    ['Monday 17:50 before the Tuesday holiday ⇒ Wednesday 09:00', '2026-04-20T20:50:00Z', '2026-04-22T12:00:00.000Z', ['business_hours']],
    ['Monday 08:00 ⇒ 08:30 before opening ⇒ 09:00', '2026-03-02T11:00:00Z', '2026-03-02T12:00:00.000Z', ['business_hours']],
  ])('%s', (_label, silence, due, shiftTypes) => {
    const decision = run({ type: 'outbound_sent', at: at(silence) });
    expect(schedules(decision.commands)).toEqual([['reengage_1', due]]);
    const [command] = commandsOf(decision.commands, 'schedule');
    expect(command?.dedupeKey).toBe(silenceDedupeKey('reengage_1', lead().id, at(silence)));
    expect(command?.payload).toEqual({ silenceStartedAt: at(silence).toISOString() });
    expect(command?.explanation.rule).toBe('4.2.1');
    expect(command?.explanation.shifts.map((shift) => shift.type)).toEqual(shiftTypes);
  });

  it('explains a business-hours shift with both instants', () => {
    const decision = run({ type: 'outbound_sent', at: at('2026-03-06T20:50:00Z') });
    const [command] = commandsOf(decision.commands, 'schedule');
    expect(command?.explanation).toEqual({
      rule: '4.2.1',
      summary: 're-engagement #1 30m after the silence started',
      inputs: { silenceStartedAt: '2026-03-06T20:50:00.000Z', firstAfter: '30m', base: '2026-03-06T21:20:00.000Z' },
      shifts: [{ type: 'business_hours', from: '2026-03-06T21:20:00.000Z', to: '2026-03-09T12:00:00.000Z' }],
    });
  });

  it('without business hours the business is always open', () => {
    const decision = run({ type: 'outbound_sent', at: at('2026-03-07T03:00:00Z') }, { config: config({ businessHours: null }) });
    expect(schedules(decision.commands)).toEqual([['reengage_1', '2026-03-07T03:30:00.000Z']]);
  });

  it('uses the tenant delay', () => {
    const decision = run({ type: 'outbound_sent', at: at('2026-03-02T13:00:00Z') }, { config: config({ followUp: { firstAfter: '2h' } }) });
    expect(schedules(decision.commands)).toEqual([['reengage_1', '2026-03-02T15:00:00.000Z']]);
  });

  it('a newer message of the agent supersedes the pending re-engagements of the previous silence', () => {
    const previous = silenceDedupeKey('reengage_1', lead().id, at('2026-03-02T12:00:00Z'));
    const decision = run({ type: 'outbound_sent', at: at('2026-03-02T13:00:00Z') }, { pending: [pending('reengage_1', previous)] });
    expect(commandsOf(decision.commands, 'cancel')).toEqual([
      expect.objectContaining({ filter: { dedupeKeys: [previous] }, reason: 'superseded' }),
    ]);
    expect(schedules(decision.commands)).toEqual([['reengage_1', '2026-03-02T13:30:00.000Z']]);
  });

  it('the same message twice cancels nothing and schedules under the same key', () => {
    const own = silenceDedupeKey('reengage_1', lead().id, at('2026-03-02T13:00:00Z'));
    const decision = run({ type: 'outbound_sent', at: at('2026-03-02T13:00:00Z') }, { pending: [pending('reengage_1', own)] });
    expect(commandsOf(decision.commands, 'cancel')).toEqual([]);
    expect(commandsOf(decision.commands, 'schedule')[0]?.dedupeKey).toBe(own);
  });

  it.each([
    ['opted out', lead({ optedOut: true }), 'opted_out'],
    ['handed off', lead({ automation: 'paused_handoff' }), 'automation_paused'],
    ['stopped', lead({ automation: 'stopped' }), 'automation_stopped'],
    ['replied after the message (out of order)', lead({ lastInboundAt: at('2026-03-02T13:05:00Z') }), 'replied_after'],
    ['an older message than the last one', lead({ lastOutboundAt: at('2026-03-02T13:05:00Z') }), 'superseded'],
  ])('no silence for a lead %s', (_label, state, reason) => {
    const decision = run({ type: 'outbound_sent', at: at('2026-03-02T13:00:00Z') }, { lead: state });
    expect(decision).toEqual({ commands: [], dropped: [], ignored: reason });
  });
});

describe('rules 2 and 3: #2 after #1 was actually sent, give-up after #2', () => {
  const silence = at('2026-03-06T20:50:00Z');

  it('#2 is 24 h after #1 was actually sent, not after it was due', () => {
    const decision = run({ type: 'reengagement_sent', kind: 'reengage_1', sentAt: at('2026-03-09T12:07:00Z'), silenceStartedAt: silence });
    expect(schedules(decision.commands)).toEqual([['reengage_2', '2026-03-10T12:07:00.000Z']]);
    const [command] = commandsOf(decision.commands, 'schedule');
    expect(command?.dedupeKey).toBe(silenceDedupeKey('reengage_2', lead().id, silence));
    expect(command?.explanation.rule).toBe('4.2.2');
  });

  it('#2 falling on a Saturday moves to Monday 09:00', () => {
    const decision = run({ type: 'reengagement_sent', kind: 'reengage_1', sentAt: at('2026-03-06T20:55:00Z'), silenceStartedAt: silence });
    expect(schedules(decision.commands)).toEqual([['reengage_2', '2026-03-09T12:00:00.000Z']]);
  });

  it('the give-up is 24 h after #2 was sent, whatever the business hours (no message)', () => {
    const decision = run({ type: 'reengagement_sent', kind: 'reengage_2', sentAt: at('2026-03-06T20:55:00Z'), silenceStartedAt: silence });
    expect(schedules(decision.commands)).toEqual([['give_up', '2026-03-07T20:55:00.000Z']]);
    expect(commandsOf(decision.commands, 'schedule')[0]?.explanation.rule).toBe('4.2.3');
  });

  it('uses the tenant delays', () => {
    const custom = config({ businessHours: null, followUp: { secondAfter: '2d', giveUpAfter: '3h' } });
    const sentAt = at('2026-03-02T13:00:00Z');
    const second = run({ type: 'reengagement_sent', kind: 'reengage_1', sentAt, silenceStartedAt: silence }, { config: custom });
    const giveUp = run({ type: 'reengagement_sent', kind: 'reengage_2', sentAt, silenceStartedAt: silence }, { config: custom });
    expect(schedules(second.commands)).toEqual([['reengage_2', '2026-03-04T13:00:00.000Z']]);
    expect(schedules(giveUp.commands)).toEqual([['give_up', '2026-03-02T16:00:00.000Z']]);
  });

  it('nothing follows when the lead replied during the silence, or a newer silence began', () => {
    const replied = run(
      { type: 'reengagement_sent', kind: 'reengage_1', sentAt: at('2026-03-09T12:00:00Z'), silenceStartedAt: silence },
      { lead: lead({ lastInboundAt: at('2026-03-09T11:00:00Z') }) },
    );
    expect(replied.ignored).toBe('replied');
    const newer = silenceDedupeKey('reengage_1', lead().id, at('2026-03-09T12:30:00Z'));
    const superseded = run(
      { type: 'reengagement_sent', kind: 'reengage_1', sentAt: at('2026-03-09T12:00:00Z'), silenceStartedAt: silence },
      { pending: [pending('reengage_1', newer)] },
    );
    expect(superseded.ignored).toBe('superseded');
  });

  it('give-up: not_interested and automation stopped, explained by rule 3', () => {
    const decision = run({ type: 'give_up_due', silenceStartedAt: silence });
    expect(decision.commands.map((command) => command.type)).toEqual(['change_stage', 'change_automation']);
    expect(commandsOf(decision.commands, 'change_stage')[0]).toMatchObject({
      from: 'qualifying',
      to: 'not_interested',
      source: 'automation',
    });
    expect(commandsOf(decision.commands, 'change_automation')[0]).toMatchObject({ from: 'active', to: 'stopped', reason: 'gave_up' });
    expect(decision.commands.every((command) => command.explanation.rule === '4.2.3')).toBe(true);
  });

  it.each([
    ['the lead replied after the silence started', lead({ lastInboundAt: at('2026-03-08T12:00:00Z') }), 'replied'],
    ['the lead is handed off', lead({ automation: 'paused_handoff' }), 'automation_paused'],
    ['the lead opted out', lead({ optedOut: true }), 'opted_out'],
    ['automation already stopped (a replay)', lead({ automation: 'stopped', stage: 'not_interested' }), 'automation_stopped'],
  ])('no give-up when %s', (_label, state, reason) => {
    expect(run({ type: 'give_up_due', silenceStartedAt: silence }, { lead: state }).ignored).toBe(reason);
  });
});

describe('rule 4: an inbound message cancels the pending re-engagements', () => {
  it('cancels every re-engagement kind, not the reminders', () => {
    const decision = run(
      { type: 'inbound_received', at: at('2026-03-02T13:10:00Z') },
      { pending: [pending('reengage_1', 'k1'), pending('reminder_2h', 'k2', { appointmentId: 'a' })] },
    );
    expect(decision.commands).toEqual([
      expect.objectContaining({ type: 'cancel', filter: { kinds: ['reengage_1', 'reengage_2', 'give_up'] }, reason: 'inbound' }),
    ]);
    expect(decision.commands[0]?.explanation.rule).toBe('4.2.4');
  });

  it('with nothing pending, changes nothing', () => {
    expect(run({ type: 'inbound_received', at: at('2026-03-02T13:10:00Z') }).ignored).toBe('nothing_pending');
  });
});

describe('DST between scheduling and sending (America/New_York)', () => {
  const newYork = config({ timeZone: 'America/New_York', businessHours: weekdaysNineToSix, holidays: [] });

  it('Friday 17:50 EST ⇒ Monday 09:00 EDT, which is 13:00Z and not 14:00Z', () => {
    const decision = run({ type: 'outbound_sent', at: at('2026-03-06T22:50:00Z') }, { config: newYork });
    expect(schedules(decision.commands)).toEqual([['reengage_1', '2026-03-09T13:00:00.000Z']]);
  });

  it('#2 24 h after #1 on the other side of the autumn change: still 24 elapsed hours, moved to the opening', () => {
    // #1 sent Saturday 2026-10-31 10:00 EDT; 24 h later is Sunday 09:00 EST (closed) ⇒ Monday 09:00 EST = 14:00Z
    const decision = run(
      { type: 'reengagement_sent', kind: 'reengage_1', sentAt: at('2026-10-31T14:00:00Z'), silenceStartedAt: at('2026-10-31T13:00:00Z') },
      { config: newYork },
    );
    expect(schedules(decision.commands)).toEqual([['reengage_2', '2026-11-02T14:00:00.000Z']]);
  });
});

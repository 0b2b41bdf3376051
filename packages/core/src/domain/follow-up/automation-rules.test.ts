import { describe, expect, it } from 'vitest';
import { decideFollowUp } from './follow-up-policy.js';
import type { FollowUpEvent, FollowUpPolicyInput } from './follow-up-types.js';
import { appointment, commandsOf, config, lead, pending } from './__fixtures__/policy-fixtures.js';

const now = new Date('2026-03-02T13:00:00Z');
const silenceKinds = ['reengage_1', 'reengage_2', 'give_up'];
const everyKind = [...silenceKinds, 'reminder_24h', 'reminder_2h'];

function run(event: FollowUpEvent, overrides: Partial<FollowUpPolicyInput> = {}) {
  return decideFollowUp({ lead: lead(), event, now, config: config(), pending: [], ...overrides });
}

const somePending = [pending('reengage_1', 'k1'), pending('reminder_2h', 'k2', { appointmentId: 'a' })];

describe('handoff and resume (SPEC §4.4)', () => {
  it('handoff: automation paused, stage human_handoff, re-engagements cancelled — reminders kept', () => {
    const decision = run({ type: 'handoff', reason: 'asked for a human', requestedBy: 'lead' }, { pending: somePending });
    expect(decision.commands).toEqual([
      expect.objectContaining({ type: 'change_automation', from: 'active', to: 'paused_handoff', reason: 'handoff' }),
      expect.objectContaining({ type: 'change_stage', from: 'qualifying', to: 'human_handoff', source: 'automation' }),
      expect.objectContaining({ type: 'cancel', filter: { kinds: silenceKinds }, reason: 'handoff' }),
    ]);
    expect(decision.commands[0]?.explanation).toMatchObject({ rule: '4.4', inputs: { reason: 'asked for a human', requestedBy: 'lead' } });
  });

  it('an operator handoff is marked as the operator’s stage change', () => {
    const decision = run({ type: 'handoff', reason: 'VIP', requestedBy: 'operator' });
    expect(commandsOf(decision.commands, 'change_stage')[0]?.source).toBe('operator');
  });

  it('a second handoff changes nothing', () => {
    const state = lead({ automation: 'paused_handoff', stage: 'human_handoff' });
    expect(run({ type: 'handoff', reason: 'again', requestedBy: 'agent' }, { lead: state }).ignored).toBe('already_handed_off');
  });

  it.each([
    ['with a meeting ahead ⇒ meeting_scheduled', [appointment('2026-03-05T17:00:00Z')], 'meeting_scheduled'],
    ['with a past meeting only ⇒ qualifying', [appointment('2026-03-01T17:00:00Z')], 'qualifying'],
    ['without meetings ⇒ qualifying', [], 'qualifying'],
  ])('resume %s, and schedules nothing (a new silence needs a new message)', (_label, appointments, stage) => {
    const state = lead({ automation: 'paused_handoff', stage: 'human_handoff' });
    const decision = run({ type: 'resume' }, { lead: state, appointments });
    expect(decision.commands).toEqual([
      expect.objectContaining({ type: 'change_automation', from: 'paused_handoff', to: 'active' }),
      expect.objectContaining({ type: 'change_stage', from: 'human_handoff', to: stage, source: 'operator' }),
    ]);
  });

  it('resume keeps a stage a human set meanwhile', () => {
    const decision = run({ type: 'resume' }, { lead: lead({ automation: 'paused_handoff', stage: 'won' }) });
    expect(decision.commands.map((command) => command.type)).toEqual(['change_automation']);
  });

  it.each([
    ['an active lead', lead(), 'already_active'],
    ['an opted-out lead (the lead’s own decision)', lead({ automation: 'stopped', optedOut: true }), 'opted_out'],
  ])('resume of %s changes nothing', (_label, state, reason) => {
    expect(run({ type: 'resume' }, { lead: state }).ignored).toBe(reason);
  });
});

describe('rule 6: opt-out', () => {
  it('cancels every pending message, reminders included, and stops automation', () => {
    const decision = run({ type: 'opted_out' }, { lead: lead({ optedOut: true }), pending: somePending });
    expect(decision.commands).toEqual([
      expect.objectContaining({ type: 'cancel', filter: { kinds: everyKind }, reason: 'opted_out' }),
      expect.objectContaining({ type: 'change_automation', from: 'active', to: 'stopped', reason: 'opted_out' }),
    ]);
    expect(decision.commands[0]?.explanation.rule).toBe('4.2.6');
  });

  it('a replay with nothing left to do changes nothing', () => {
    expect(run({ type: 'opted_out' }, { lead: lead({ optedOut: true, automation: 'stopped' }) }).ignored).toBe('already_stopped');
  });
});

describe('stage moved by a human in the CRM (SPEC §4.1)', () => {
  it.each([
    ['won', 'stopped', 'automation_stopped'],
    ['lost', 'stopped', 'automation_stopped'],
    ['human_handoff', 'paused_handoff', 'automation_paused'],
  ] as const)('%s: stage follows (source crm), automation %s, re-engagements cancelled', (to, automation, reason) => {
    const decision = run({ type: 'crm_stage_changed', to }, { pending: somePending });
    expect(decision.commands).toEqual([
      expect.objectContaining({ type: 'change_stage', from: 'qualifying', to, source: 'crm' }),
      expect.objectContaining({ type: 'change_automation', from: 'active', to: automation, reason: 'crm_stage' }),
      expect.objectContaining({ type: 'cancel', filter: { kinds: silenceKinds }, reason }),
    ]);
    expect(decision.commands[0]?.explanation.rule).toBe('4.1');
  });

  it('won with reminders configured off while automation is off: reminders are cancelled too', () => {
    const decision = run(
      { type: 'crm_stage_changed', to: 'won' },
      { pending: somePending, config: config({ reminders: { whileAutomationPaused: false } }) },
    );
    expect(commandsOf(decision.commands, 'cancel')[0]?.filter).toEqual({ kinds: everyKind });
  });

  it('other stages only move the stage', () => {
    const decision = run({ type: 'crm_stage_changed', to: 'meeting_scheduled' }, { pending: somePending });
    expect(decision.commands.map((command) => command.type)).toEqual(['change_stage']);
  });

  it('the stage it already has changes nothing', () => {
    expect(run({ type: 'crm_stage_changed', to: 'qualifying' }).ignored).toBe('unchanged');
  });
});

describe('stage set by an operator (SPEC §4.1, from our side)', () => {
  it.each([
    ['won', 'stopped', 'automation_stopped'],
    ['lost', 'stopped', 'automation_stopped'],
    ['human_handoff', 'paused_handoff', 'automation_paused'],
  ] as const)('%s: stage follows (source operator, so the CRM is told), automation %s', (to, automation, reason) => {
    const decision = run({ type: 'operator_stage_changed', to }, { pending: somePending });
    expect(decision.commands).toEqual([
      expect.objectContaining({ type: 'change_stage', from: 'qualifying', to, source: 'operator' }),
      expect.objectContaining({ type: 'change_automation', from: 'active', to: automation, reason: 'operator_stage' }),
      expect.objectContaining({ type: 'cancel', filter: { kinds: silenceKinds }, reason }),
    ]);
    expect(decision.commands[0]?.explanation).toMatchObject({ rule: '4.1', summary: `an operator moved the lead to ${to}` });
  });

  it('other stages only move the stage; the stage it already has changes nothing', () => {
    const decision = run({ type: 'operator_stage_changed', to: 'meeting_scheduled' }, { pending: somePending });
    expect(decision.commands.map((command) => command.type)).toEqual(['change_stage']);
    expect(run({ type: 'operator_stage_changed', to: 'qualifying' }).ignored).toBe('unchanged');
  });
});

/**
 * Who may receive automatic messages: rule 6 of SPEC §4.2 (opted-out leads get nothing; paused
 * or stopped leads get no re-engagements), handoff and resume (§4.4), and stage moves a human
 * made in the CRM (§4.1: `won`/`lost`/`human_handoff` stop automation).
 */
import type { AutomationState, Stage } from '../model/lead.js';
import type { ScheduledKind } from '../model/scheduled-message.js';
import { followUpKinds, silenceKinds } from './dedupe-keys.js';
import type {
  FollowUpCommand,
  FollowUpDecision,
  FollowUpExplanation,
  FollowUpPolicyInput,
  HandoffRequester,
  PendingFollowUp,
} from './follow-up-types.js';
import { cancelPendingKinds, decide, explain, ignore, kindsCancelledOnStop } from './policy-support.js';

/** §4.4: a human takes over — automation paused, stage `human_handoff`, re-engagements cancelled. */
export function onHandoff(input: FollowUpPolicyInput, reason: string, requestedBy: HandoffRequester): FollowUpDecision {
  const { lead, pending } = input;
  const explanation = explain('4.4', 'handed off to a human', { reason, requestedBy });
  const commands: FollowUpCommand[] = [];
  if (lead.automation !== 'paused_handoff') {
    commands.push({ type: 'change_automation', from: lead.automation, to: 'paused_handoff', reason: 'handoff', explanation });
  }
  if (lead.stage !== 'human_handoff') {
    const source = requestedBy === 'operator' ? 'operator' : 'automation';
    commands.push({ type: 'change_stage', from: lead.stage, to: 'human_handoff', source, explanation });
  }
  commands.push(...cancelPendingKinds({ pending, kinds: silenceKinds, reason: 'handoff', explanation }));
  return commands.length > 0 ? decide(commands) : ignore('already_handed_off');
}

/**
 * §4.4: an operator resumes automation. A lead still in `human_handoff` goes back to
 * `meeting_scheduled` when it has a meeting ahead, otherwise to `qualifying`. Nothing is
 * scheduled: a new silence starts with the agent's next message (rule 4).
 */
export function onResume(input: FollowUpPolicyInput): FollowUpDecision {
  const { lead, now } = input;
  // Opting out is the lead's decision; an operator's resume does not undo it.
  if (lead.optedOut) return ignore('opted_out');
  if (lead.automation === 'active') return ignore('already_active');
  const upcoming = (input.appointments ?? []).some((appointment) => appointment.status === 'scheduled' && appointment.start > now);
  const explanation = explain('4.4', 'an operator resumed automation', { hasUpcomingMeeting: upcoming });
  const commands: FollowUpCommand[] = [{ type: 'change_automation', from: lead.automation, to: 'active', reason: 'resumed', explanation }];
  if (lead.stage === 'human_handoff') {
    const to: Stage = upcoming ? 'meeting_scheduled' : 'qualifying';
    commands.push({ type: 'change_stage', from: lead.stage, to, source: 'operator', explanation });
  }
  return decide(commands);
}

/** Rule 6: opted-out leads get nothing — every pending message is cancelled and automation stops. */
export function onOptedOut(input: FollowUpPolicyInput): FollowUpDecision {
  const { lead, pending } = input;
  const explanation = explain('4.2.6', 'the lead opted out: nothing more is sent to it');
  const commands: FollowUpCommand[] = [...cancelPendingKinds({ pending, kinds: followUpKinds, reason: 'opted_out', explanation })];
  if (lead.automation !== 'stopped') {
    commands.push({ type: 'change_automation', from: lead.automation, to: 'stopped', reason: 'opted_out', explanation });
  }
  return commands.length > 0 ? decide(commands) : ignore('already_stopped');
}

/**
 * §4.1: a human moved the card in the CRM. The stage follows (marked `crm`, so that it is not
 * echoed back); `won`/`lost` stop automation, `human_handoff` pauses it as a handoff would.
 */
export function onCrmStageChanged(input: FollowUpPolicyInput, to: Stage): FollowUpDecision {
  return onHumanStageChange(input, { to, source: 'crm', summary: `a human moved the lead to ${to} in the CRM` });
}

/**
 * §4.1, from our side: an operator set the stage through the app or the API. The consequences
 * are those of a CRM move; the change is marked `operator`, so the CRM sync writes it to the CRM.
 */
export function onOperatorStageChanged(input: FollowUpPolicyInput, to: Stage): FollowUpDecision {
  return onHumanStageChange(input, { to, source: 'operator', summary: `an operator moved the lead to ${to}` });
}

function onHumanStageChange(
  input: FollowUpPolicyInput,
  change: { readonly to: Stage; readonly source: 'crm' | 'operator'; readonly summary: string },
): FollowUpDecision {
  const { lead, config, pending } = input;
  const { to } = change;
  if (lead.stage === to) return ignore('unchanged');
  const explanation = explain('4.1', change.summary, { from: lead.stage, to });
  const cause = change.source === 'crm' ? 'crm_stage' : 'operator_stage';
  const commands: FollowUpCommand[] = [{ type: 'change_stage', from: lead.stage, to, source: change.source, explanation }];
  if (to === 'won' || to === 'lost') {
    commands.push(
      ...stopAutomation({ pending, from: lead.automation, to: 'stopped', kinds: kindsCancelledOnStop(config), cause, explanation }),
    );
  } else if (to === 'human_handoff' && lead.automation === 'active') {
    commands.push(...stopAutomation({ pending, from: lead.automation, to: 'paused_handoff', kinds: silenceKinds, cause, explanation }));
  }
  return decide(commands);
}

function stopAutomation(input: {
  readonly pending: readonly PendingFollowUp[];
  readonly from: AutomationState;
  readonly to: 'stopped' | 'paused_handoff';
  readonly kinds: readonly ScheduledKind[];
  /** Why automation changed, as `automation.changed` reports it. */
  readonly cause: 'crm_stage' | 'operator_stage';
  readonly explanation: FollowUpExplanation;
}): FollowUpCommand[] {
  const reason = input.to === 'stopped' ? 'automation_stopped' : 'automation_paused';
  const commands: FollowUpCommand[] = [];
  if (input.from !== input.to) {
    commands.push({ type: 'change_automation', from: input.from, to: input.to, reason: input.cause, explanation: input.explanation });
  }
  commands.push(...cancelPendingKinds({ pending: input.pending, kinds: input.kinds, reason, explanation: input.explanation }));
  return commands;
}

/** Small builders the follow-up policy's rules share. */
import type { JsonValue } from '../model/common.js';
import type { ScheduledKind } from '../model/scheduled-message.js';
import { followUpKinds, silenceKinds } from './dedupe-keys.js';
import type {
  DroppedFollowUp,
  FollowUpCommand,
  FollowUpConfig,
  FollowUpDecision,
  FollowUpExplanation,
  FollowUpLead,
  FollowUpRule,
  FollowUpShift,
  PendingFollowUp,
} from './follow-up-types.js';

/** An explanation; `inputs` are JSON (instants as ISO strings). */
export function explain(
  rule: FollowUpRule,
  summary: string,
  inputs: { readonly [key: string]: JsonValue } = {},
  shifts: readonly FollowUpShift[] = [],
): FollowUpExplanation {
  return { rule, summary, inputs, shifts };
}

/** A decision with commands (and optionally messages it chose not to schedule). */
export function decide(commands: readonly FollowUpCommand[], dropped: readonly DroppedFollowUp[] = []): FollowUpDecision {
  return { commands, dropped };
}

/** A decision that changes nothing, with the reason. */
export function ignore(reason: string): FollowUpDecision {
  return { commands: [], dropped: [], ignored: reason };
}

/** Why the lead may not get automatic messages now, or `undefined` when it may. */
export function automationBlock(lead: FollowUpLead): 'opted_out' | 'automation_paused' | 'automation_stopped' | undefined {
  if (lead.optedOut) return 'opted_out';
  if (lead.automation === 'paused_handoff') return 'automation_paused';
  if (lead.automation === 'stopped') return 'automation_stopped';
  return undefined;
}

/**
 * A cancel of every pending message of `kinds`, or nothing when none is pending — so that a
 * decision never carries a command that cannot change anything.
 */
export function cancelPendingKinds(input: {
  readonly pending: readonly PendingFollowUp[];
  readonly kinds: readonly ScheduledKind[];
  readonly reason: string;
  readonly explanation: FollowUpExplanation;
  readonly appointmentId?: string;
}): FollowUpCommand[] {
  const matches = input.pending.some(
    (message) => input.kinds.includes(message.kind) && (input.appointmentId === undefined || message.appointmentId === input.appointmentId),
  );
  if (!matches) return [];
  const filter = input.appointmentId === undefined ? { kinds: input.kinds } : { kinds: input.kinds, appointmentId: input.appointmentId };
  return [{ type: 'cancel', filter, reason: input.reason, explanation: input.explanation }];
}

/** `date` as ISO-8601 UTC, or `null`. */
export function isoOrNull(date: Date | null | undefined): string | null {
  return date ? date.toISOString() : null;
}

/**
 * What stopping automation cancels: every pending re-engagement, and the reminders too unless
 * the tenant lets reminders of a booked meeting go out while automation is off (rule 6).
 */
export function kindsCancelledOnStop(config: FollowUpConfig): readonly ScheduledKind[] {
  return config.reminders.whileAutomationPaused ? silenceKinds : followUpKinds;
}

/**
 * The vocabulary of the follow-up policy (SPEC §4.2): the state it reads, the events it reacts
 * to, and the commands (each with its explanation) it returns. Explanations are plain JSON so
 * that they are stored as they are on the scheduled message, for `explain` to show later.
 */
import type { Appointment } from '../model/appointment.js';
import type { JsonValue } from '../model/common.js';
import type { AutomationState, Lead, Stage } from '../model/lead.js';
import type { ScheduledKind, ScheduledMessage } from '../model/scheduled-message.js';
import type { TenantConfig } from '../model/tenant.js';

/** What the policy needs to know about the lead. */
export type FollowUpLead = Pick<Lead, 'id' | 'stage' | 'automation' | 'optedOut' | 'lastInboundAt' | 'lastOutboundAt'>;

/** A `pending` scheduled message of the lead, as the policy sees it. */
export type PendingFollowUp = Pick<ScheduledMessage, 'id' | 'kind' | 'dedupeKey' | 'dueAt' | 'appointmentId'>;

/** What the policy needs to know about an appointment. */
export type FollowUpAppointment = Pick<Appointment, 'id' | 'start' | 'end' | 'status'>;

/** The tenant settings the policy reads. */
export type FollowUpConfig = Pick<TenantConfig, 'timeZone' | 'businessHours' | 'holidays' | 'quietHours' | 'followUp' | 'reminders'> & {
  /** Names the business calendar in its one-time "always open" log line. */
  readonly id?: string;
};

/** Who asked for a handoff (SPEC §4.4). */
export type HandoffRequester = 'agent' | 'lead' | 'operator';

/** Something that happened to a lead and may start, stop or change follow-ups. */
export type FollowUpEvent =
  /** The agent (bot or human through the app) sent a message: a silence starts (rule 1). */
  | { readonly type: 'outbound_sent'; readonly at: Date }
  /** The lead wrote (rule 4). */
  | { readonly type: 'inbound_received'; readonly at: Date }
  /** The dispatcher sent re-engagement #1 or #2 of the silence that started at `silenceStartedAt` (rules 2, 3). */
  | {
      readonly type: 'reengagement_sent';
      readonly kind: 'reengage_1' | 'reengage_2';
      readonly sentAt: Date;
      readonly silenceStartedAt: Date;
    }
  /** The `give_up` message of that silence is due (rule 3). */
  | { readonly type: 'give_up_due'; readonly silenceStartedAt: Date }
  | { readonly type: 'meeting_booked'; readonly appointment: FollowUpAppointment }
  | { readonly type: 'meeting_rescheduled'; readonly previous: FollowUpAppointment; readonly appointment: FollowUpAppointment }
  | { readonly type: 'meeting_cancelled'; readonly appointment: FollowUpAppointment }
  | { readonly type: 'handoff'; readonly reason: string; readonly requestedBy: HandoffRequester }
  /** An operator resumes automation after a handoff (SPEC §4.4). */
  | { readonly type: 'resume' }
  /** The lead was marked opted out (the flag is already set on the lead the policy reads). */
  | { readonly type: 'opted_out' }
  /** A human moved the lead's card in the CRM (SPEC §4.1). */
  | { readonly type: 'crm_stage_changed'; readonly to: Stage }
  /**
   * An operator set the stage through the app or the REST API: a human decision like a CRM move
   * (SPEC §4.1), but ours — so the CRM is told (source `operator`, not `crm`).
   */
  | { readonly type: 'operator_stage_changed'; readonly to: Stage };

/** Everything the policy decides from. */
export interface FollowUpPolicyInput {
  readonly lead: FollowUpLead;
  readonly event: FollowUpEvent;
  readonly now: Date;
  readonly config: FollowUpConfig;
  /** The lead's `pending` scheduled messages of the follow-up kinds. */
  readonly pending: readonly PendingFollowUp[];
  /** The lead's `scheduled` appointments (only `resume` reads them). */
  readonly appointments?: readonly FollowUpAppointment[];
}

/**
 * Which rule a command comes from: `4.2.n` is rule n of SPEC §4.2, `4.1` a human stage move,
 * `4.4` a handoff or resume. The timing of rule 7 shows as the explanation's `shifts`.
 */
export type FollowUpRule = '4.2.1' | '4.2.2' | '4.2.3' | '4.2.4' | '4.2.5' | '4.2.6' | '4.1' | '4.4';

/** A move of a due time, or the reason a message was not scheduled at all. Instants are ISO-8601 UTC. */
export type FollowUpShift =
  /** Rule 7: a re-engagement due outside business hours moves to the next opening. */
  | { readonly type: 'business_hours'; readonly from: string; readonly to: string }
  /** Rule 7: a reminder due in quiet hours moves to the end of the quiet period, or to its start. */
  | {
      readonly type: 'quiet_hours';
      readonly from: string;
      readonly to: string;
      readonly moved: 'to_end' | 'to_start';
      readonly quietStart: string;
      readonly quietEnd: string;
    }
  /** Rules 5 and 7: its time had passed when the meeting was booked. */
  | { readonly type: 'dropped_past'; readonly at: string; readonly bookedAt: string }
  /** Rule 7: it would land at or after the meeting start. */
  | { readonly type: 'dropped_after_start'; readonly at: string; readonly meetingStart: string };

/** Why a command exists: the rule, the inputs it read, and every shift applied. */
export type FollowUpExplanation = {
  readonly rule: FollowUpRule;
  readonly summary: string;
  readonly inputs: { readonly [key: string]: JsonValue };
  readonly shifts: readonly FollowUpShift[];
};

/** Criteria of a cancel command; a scheduled message must match all of them. */
export type FollowUpCancelFilter = {
  readonly kinds?: readonly ScheduledKind[];
  readonly dedupeKeys?: readonly string[];
  readonly appointmentId?: string;
};

/** Where a stage change came from (the CRM sync does not echo `crm` changes back). */
export type StageChangeSource = 'automation' | 'crm' | 'operator';

/** What the policy asks the service to do. */
export type FollowUpCommand =
  | {
      readonly type: 'schedule';
      readonly kind: ScheduledKind;
      readonly dueAt: Date;
      readonly dedupeKey: string;
      readonly appointmentId: string | null;
      readonly payload: { readonly [key: string]: JsonValue };
      readonly explanation: FollowUpExplanation;
    }
  | {
      readonly type: 'cancel';
      readonly filter: FollowUpCancelFilter;
      readonly reason: string;
      readonly explanation: FollowUpExplanation;
    }
  | {
      readonly type: 'change_stage';
      readonly from: Stage;
      readonly to: Stage;
      readonly source: StageChangeSource;
      readonly explanation: FollowUpExplanation;
    }
  | {
      readonly type: 'change_automation';
      readonly from: AutomationState;
      readonly to: AutomationState;
      readonly reason: string;
      readonly explanation: FollowUpExplanation;
    };

/** A message the policy considered and did not schedule, with why. */
export interface DroppedFollowUp {
  readonly kind: ScheduledKind;
  readonly explanation: FollowUpExplanation;
}

/** The policy's answer: commands to apply in order, and what it chose not to schedule. */
export interface FollowUpDecision {
  readonly commands: readonly FollowUpCommand[];
  readonly dropped: readonly DroppedFollowUp[];
  /** Set when the event changes nothing, saying why (`opted_out`, `automation_paused`, …). */
  readonly ignored?: string;
}

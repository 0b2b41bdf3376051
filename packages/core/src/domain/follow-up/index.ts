export { decideFollowUp } from './follow-up-policy.js';
export type {
  DroppedFollowUp,
  FollowUpAppointment,
  FollowUpCancelFilter,
  FollowUpCommand,
  FollowUpConfig,
  FollowUpDecision,
  FollowUpEvent,
  FollowUpExplanation,
  FollowUpLead,
  FollowUpPolicyInput,
  FollowUpRule,
  FollowUpShift,
  HandoffRequester,
  PendingFollowUp,
  StageChangeSource,
} from './follow-up-types.js';
export {
  followUpKinds,
  isMeetingReminderKind,
  isSilenceKind,
  meetingReminderKinds,
  reminderDedupeKey,
  silenceDedupeKey,
  silenceKinds,
  type MeetingReminderKind,
  type SilenceKind,
} from './dedupe-keys.js';
export { placeReengagement, placeReminder, type Placement, type ReminderPlacement } from './follow-up-timing.js';

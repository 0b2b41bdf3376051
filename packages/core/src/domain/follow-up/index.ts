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
export { applyFollowUpCommands, explanationJson, type AppliedFollowUp } from './apply-follow-up-commands.js';
export {
  createFollowUpService,
  type FollowUpInput,
  type FollowUpWithinInput,
  type FollowUpResult,
  type FollowUpService,
  type FollowUpServiceOptions,
  type FollowUpWithinResult,
} from './follow-up-service.js';
export { createFollowUpDispatchHandler, type FollowUpDispatchHandlerOptions } from './follow-up-dispatch-handler.js';
export { followUpVariables, renderFollowUpMessage, type RenderedFollowUp } from './follow-up-messages.js';

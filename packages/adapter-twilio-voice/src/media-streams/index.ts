export { runMediaStreamSession, type MediaStreamSessionOptions, type MediaStreamSessionResult } from './media-stream-session.js';
export {
  bargeInStep,
  defaultBargeInOptions,
  initialBargeInState,
  type BargeInCommand,
  type BargeInEvent,
  type BargeInOptions,
  type BargeInPhase,
  type BargeInState,
  type BargeInStep,
  type ReplyInProgress,
} from './barge-in.js';
export { bytesPlayed, heardText, type HeardTextOptions, type MediaClock } from './heard-text.js';

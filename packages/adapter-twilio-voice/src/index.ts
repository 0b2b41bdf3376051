/**
 * `@sdr/adapter-twilio-voice`: the phone agent of `@sdr` over Twilio.
 * @packageDocumentation
 */
export type { VoiceSessionDeps, VoiceTurns } from './voice-turns.js';
export {
  createDeepgramSpeechToText,
  createDeepgramTextToSpeech,
  type DeepgramConfig,
  type DeepgramDeps,
  type WebSocketClass,
} from './deepgram/index.js';
export {
  bargeInStep,
  bytesPlayed,
  defaultBargeInOptions,
  heardText,
  initialBargeInState,
  runMediaStreamSession,
  type BargeInCommand,
  type BargeInEvent,
  type BargeInOptions,
  type BargeInPhase,
  type BargeInState,
  type BargeInStep,
  type HeardTextOptions,
  type MediaClock,
  type MediaStreamSessionOptions,
  type MediaStreamSessionResult,
  type ReplyInProgress,
} from './media-streams/index.js';

/**
 * `@sdr/adapter-twilio-voice`: the phone agent of @sdr over Twilio.
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

/**
 * `@sdr/adapter-twilio-voice`: the phone through Twilio Programmable Voice — request signatures,
 * TwiML, the ConversationRelay session that streams the agent's replies, the Media Streams session (Deepgram
 * speech-to-text and text-to-speech, barge-in as a pure state machine), and the `voice`
 * integration plugin.
 * @packageDocumentation
 */
export {
  computeTwilioSignature,
  twilioBodyHash,
  twilioSignatureHeader,
  twilioSignedText,
  urlPortVariants,
  validateTwilioSignature,
  type TwilioParams,
  type TwilioSignatureInput,
  type TwilioSignatureRefusal,
  type TwilioSignatureVerdict,
} from './twilio-signature.js';
export { conversationRelayTwiml, dialTwiml, emptyTwiml, escapeXml, hangupTwiml, mediaStreamTwiml } from './twiml.js';
export type { ConversationRelayTwimlInput, DialTwimlInput, MediaStreamTwimlInput } from './twiml.js';
export type { VoiceSessionDeps, VoiceTurns } from './voice-turns.js';
export {
  deepgramVoiceConfigSchema,
  twilioVoiceConfigSchema,
  voiceModes,
  type DeepgramVoiceConfig,
  type TwilioVoiceConfig,
  type VoiceMode,
} from './twilio-voice-config.js';
export {
  createTwilioVoice,
  handoffReasonOf,
  normalisePublicBaseUrl,
  twilioVoicePlugin,
  voiceUrlsOf,
  type SessionOutcome,
  type TwilioVoicePlugin,
  type VoicePort,
  type VoiceUrls,
} from './twilio-voice-plugin.js';
export {
  RelayProtocolError,
  parseRelayMessage,
  relayEnd,
  relayText,
  type RelayInbound,
  type RelaySetup,
} from './conversation-relay/relay-protocol.js';
export {
  runConversationRelaySession,
  type ConversationRelaySessionOptions,
  type RelaySessionResult,
} from './conversation-relay/relay-session.js';
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

/**
 * `@sdr/adapter-twilio-voice`: the phone through Twilio Programmable Voice — request signatures,
 * TwiML, the ConversationRelay session that streams the agent's replies, and the `voice`
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
  runMediaStreamSession,
  type MediaSpeechToText,
  type MediaStreamSessionOptions,
  type MediaStreamSessionResult,
  type MediaTextToSpeech,
} from './media-streams/media-stream-session.js';
export {
  createDeepgramSpeechToText,
  createDeepgramTextToSpeech,
  type DeepgramSpeechConfig,
  type DeepgramSpeechDeps,
} from './deepgram/index.js';

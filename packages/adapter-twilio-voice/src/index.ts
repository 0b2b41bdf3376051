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

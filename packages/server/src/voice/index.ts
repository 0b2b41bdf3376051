export { createCallRegistry, type AnsweredCall, type CallRegistry } from './call-registry.js';
export { callSummary, openVoiceCall, voiceGreeting, type VoiceCall, type VoiceCallDeps, type VoiceCallInput } from './voice-call.js';
export { createTwilioVoiceRoutes, type TwilioVoiceRoutesOptions } from './twilio-voice-routes.js';
export { voicePortOf, voiceWebhookUrl } from './voice-settings.js';
export {
  createVoiceRoutes,
  demoAccountSid,
  demoPhoneLinePath,
  ensureDemoVoice,
  readDemoPhoneLine,
  type DemoPhoneLine,
} from './voice-wiring.js';
export { dialTwilioPhone, type RelayFrame, type TwilioPhone, type TwilioPhoneOptions } from './twilio-phone.js';

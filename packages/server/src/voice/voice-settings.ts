/**
 * A tenant's phone as the server reads it from its `voice` integration (provider `twilio`):
 * the port the webhook and socket routes check signatures and build TwiML with.
 */
import { createTwilioVoice, voiceUrlsOf, type TwilioVoiceConfig, type VoicePort } from '@sdr/adapter-twilio-voice';

/** The port of a stored voice integration; `null` when there is none or it is not Twilio's. */
export function voicePortOf(
  integration: { readonly provider: string; readonly config: unknown } | null,
  tenantId: string,
): VoicePort | null {
  if (integration?.provider !== 'twilio') return null;
  return createTwilioVoice(integration.config as TwilioVoiceConfig, tenantId);
}

/** The URL to set as the Twilio number's "A call comes in" webhook. */
export function voiceWebhookUrl(config: unknown, tenantId: string): string {
  return voiceUrlsOf((config as TwilioVoiceConfig).publicBaseUrl, tenantId).voice;
}

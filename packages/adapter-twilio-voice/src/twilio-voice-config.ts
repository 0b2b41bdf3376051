/**
 * A tenant's voice settings (`PUT /v1/integrations/voice` with `{ "provider": "twilio",
 * "config": { … } }`): the Twilio account whose Auth Token signs the webhooks, the public base
 * URL Twilio calls (every signature is computed over it, never over the request's own host), the
 * session mode, and what the call may need (a person's number, language, voice, Deepgram).
 */
import { secret } from '@sdr/core';
import { z } from 'zod';

/** The two ways a call's audio reaches the agent. */
export const voiceModes = ['conversation_relay', 'media_streams'] as const;

/** `conversation_relay`: Twilio does speech-to-text and text-to-speech; `media_streams`: raw audio, Deepgram does them. */
export type VoiceMode = (typeof voiceModes)[number];

const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number, e.g. +5511987654321');

/** Deepgram's settings, for Media Streams mode. */
export const deepgramVoiceConfigSchema = z.strictObject({
  apiKey: secret(z.string().min(1).max(500).describe('Deepgram API key')),
  sttModel: z.string().trim().min(1).max(100).optional().describe('Deepgram speech-to-text model (default: the adapter’s)'),
  ttsModel: z.string().trim().min(1).max(100).optional().describe('Deepgram text-to-speech voice model (default: the adapter’s)'),
  baseUrl: z
    .url({ protocol: /^wss?$/, error: 'must be a wss:// (or ws://) URL' })
    .refine((url) => !url.includes('?') && !url.includes('#'), 'must carry no query string or fragment')
    .optional()
    .describe('Deepgram’s WebSocket API base URL (default wss://api.deepgram.com): a regional endpoint or a proxy'),
});

/** The tenant's Twilio voice settings. */
export const twilioVoiceConfigSchema = z
  .strictObject({
    accountSid: z
      .string()
      .regex(/^AC[0-9a-fA-F]{32}$/, 'must be a Twilio account SID: AC followed by 32 hex digits')
      .describe('Twilio account SID'),
    authToken: secret(z.string().min(1).max(200).describe('Twilio Auth Token: every webhook and socket is signed with it')),
    publicBaseUrl: z
      .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
      .refine((url) => !url.includes('?') && !url.includes('#'), 'must carry no query string or fragment')
      .describe('The base URL Twilio reaches this server at, e.g. https://sdr.example.com (signatures are checked against it)'),
    mode: z.enum(voiceModes).default('conversation_relay').describe('conversation_relay (Twilio speech) or media_streams (Deepgram)'),
    humanNumber: e164.optional().describe('Where a handed-off call is transferred (E.164); none: the call ends'),
    language: z.string().trim().min(2).max(35).optional().describe('BCP 47 language of the call (default: the tenant’s locale)'),
    voice: z.string().trim().min(1).max(100).optional().describe('Text-to-speech voice (ConversationRelay: Twilio’s default when unset)'),
    ttsProvider: z
      .string()
      .trim()
      .min(1)
      .max(50)
      .optional()
      .describe('ConversationRelay text-to-speech provider (Twilio’s default when unset)'),
    transcriptionProvider: z
      .string()
      .trim()
      .min(1)
      .max(50)
      .optional()
      .describe('ConversationRelay speech-to-text provider (Twilio’s default when unset)'),
    deepgram: deepgramVoiceConfigSchema.optional().describe('Deepgram, required in media_streams mode'),
  })
  .superRefine((config, context) => {
    if (config.mode === 'media_streams' && config.deepgram === undefined) {
      context.addIssue({ code: 'custom', path: ['deepgram'], message: 'is required in media_streams mode' });
    }
  });

/** Parsed Twilio voice settings. */
export type TwilioVoiceConfig = z.output<typeof twilioVoiceConfigSchema>;

/** Parsed Deepgram settings. */
export type DeepgramVoiceConfig = z.output<typeof deepgramVoiceConfigSchema>;

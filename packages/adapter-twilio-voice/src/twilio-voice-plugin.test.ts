import { redactSecrets, secretValuesOf, validatePluginConfig } from '@sdr/core';
import { describe, expect, it } from 'vitest';
import { computeTwilioSignature } from './twilio-signature.js';
import { createTwilioVoice, handoffReasonOf, twilioVoicePlugin } from './twilio-voice-plugin.js';

const config = {
  accountSid: `AC${'a'.repeat(32)}`,
  authToken: 'token-1',
  publicBaseUrl: 'https://sdr.example.com/',
  humanNumber: '+5511987654321',
};

describe('twilioVoicePlugin', () => {
  it('parses the configuration, marks the Auth Token and the Deepgram key secret', () => {
    const parsed = validatePluginConfig(twilioVoicePlugin, { ...config, mode: 'media_streams', deepgram: { apiKey: 'dg-key' } });
    expect(parsed.mode).toBe('media_streams');
    expect(secretValuesOf(twilioVoicePlugin.configSchema, parsed).sort()).toEqual(['dg-key', 'token-1']);
    expect(JSON.stringify(redactSecrets(twilioVoicePlugin.configSchema, parsed))).not.toMatch(/token-1|dg-key/);
    expect(validatePluginConfig(twilioVoicePlugin, config).mode).toBe('conversation_relay');
  });

  it('names each bad field', () => {
    const error = (value: unknown) => {
      try {
        validatePluginConfig(twilioVoicePlugin, value);
      } catch (caught) {
        return (caught as { fieldErrors: { field: string }[] }).fieldErrors.map((field) => field.field);
      }
      return [];
    };
    expect(error({ ...config, accountSid: 'XX1' })).toEqual(['config.accountSid']);
    expect(error({ ...config, mode: 'media_streams' })).toEqual(['config.deepgram']);
    expect(error({ ...config, humanNumber: '11 9876' })).toEqual(['config.humanNumber']);
    expect(error({ ...config, publicBaseUrl: 'ftp://x' })).toEqual(['config.publicBaseUrl']);
    const media = { ...config, mode: 'media_streams' };
    expect(error({ ...media, deepgram: { apiKey: 'k', baseUrl: 'https://api.deepgram.com' } })).toEqual(['config.deepgram.baseUrl']);
    expect(error({ ...media, deepgram: { apiKey: 'k', baseUrl: 'wss://dg.example.com?x=1' } })).toEqual(['config.deepgram.baseUrl']);
    expect(error({ ...media, deepgram: { apiKey: 'k', baseUrl: 'wss://dg.example.com/proxy' } })).toEqual([]);
  });

  it('answers a Media Streams call with <Stream> naming the call in its path and the caller in a <Parameter>', () => {
    const voice = createTwilioVoice(
      validatePluginConfig(twilioVoicePlugin, { ...config, mode: 'media_streams', deepgram: { apiKey: 'k' } }),
      't-1',
    );
    const twiml = voice.answerCall({ callSid: 'CA9', language: 'pt-BR', from: '+5511976543210' });
    expect(twiml).toContain('<Connect action="https://sdr.example.com/webhooks/twilio/t-1/action">');
    expect(twiml).toContain('<Stream url="wss://sdr.example.com/webhooks/twilio/t-1/stream/CA9">');
    expect(twiml).toContain('<Parameter name="callSid" value="CA9"/><Parameter name="from" value="+5511976543210"/>');
    expect(voice.answerCall({ callSid: 'CA9', language: 'pt-BR' })).not.toContain('name="from"');
  });

  it('builds the tenant’s URLs under its public base URL and answers a call with ConversationRelay', () => {
    const voice = createTwilioVoice(validatePluginConfig(twilioVoicePlugin, config), 't-1');
    expect(voice.urls.relay).toBe('wss://sdr.example.com/webhooks/twilio/t-1/relay');
    const twiml = voice.answerCall({ callSid: 'CA9', language: 'pt-BR' });
    expect(twiml).toContain('<Connect action="https://sdr.example.com/webhooks/twilio/t-1/action">');
    expect(twiml).toContain('<ConversationRelay url="wss://sdr.example.com/webhooks/twilio/t-1/relay" language="pt-BR"');
    expect(twiml).toContain('<Parameter name="callSid" value="CA9"/>');
  });

  it('checks webhook signatures against the public URL, and sockets against their wss:// URL', () => {
    const voice = createTwilioVoice(validatePluginConfig(twilioVoicePlugin, config), 't-1');
    const params = { CallSid: 'CA9', From: '+5511987654321' };
    const signature = computeTwilioSignature('token-1', 'https://sdr.example.com/webhooks/twilio/t-1/voice', params);
    expect(voice.verifyWebhook({ path: '/webhooks/twilio/t-1/voice', signature, params })).toEqual({ ok: true });
    expect(voice.verifyWebhook({ path: '/webhooks/twilio/t-2/voice', signature, params }).ok).toBe(false);
    const socketSignature = computeTwilioSignature('token-1', 'wss://sdr.example.com/webhooks/twilio/t-1/relay');
    expect(voice.verifySocket({ path: '/webhooks/twilio/t-1/relay', signature: socketSignature })).toEqual({ ok: true });
    expect(voice.verifySocket({ path: '/webhooks/twilio/t-1/relay', signature: undefined }).ok).toBe(false);
  });

  it('dials the human number after a handoff or a failed session, else hangs up', () => {
    const voice = createTwilioVoice(validatePluginConfig(twilioVoicePlugin, config), 't-1');
    expect(voice.afterSession({ handoffData: JSON.stringify({ reason: 'asked for a person' }) })).toContain(
      '<Dial answerOnBridge="true" timeout="30">+5511987654321</Dial>',
    );
    expect(voice.afterSession({ sessionStatus: 'failed' })).toContain('<Dial');
    expect(voice.afterSession({ sessionStatus: 'completed' })).toContain('<Hangup/>');
    const { humanNumber: _none, ...withoutNumber } = config;
    const noPerson = createTwilioVoice(validatePluginConfig(twilioVoicePlugin, withoutNumber), 't-1');
    expect(noPerson.afterSession({ handoffData: '{"reason":"x"}' })).toContain('<Hangup/>');
    expect(handoffReasonOf('{"reason":"r"}')).toBe('r');
    expect(handoffReasonOf('')).toBeNull();
  });
});

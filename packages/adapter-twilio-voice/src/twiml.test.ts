import { describe, expect, it } from 'vitest';
import { conversationRelayTwiml, dialTwiml, escapeXml, hangupTwiml, mediaStreamTwiml } from './twiml.js';

describe('TwiML', () => {
  it('escapes the five XML characters', () => {
    expect(escapeXml(`a&b<c>d"e'f`)).toBe('a&amp;b&lt;c&gt;d&quot;e&apos;f');
  });

  it('connects a ConversationRelay with its action, attributes and parameters, all escaped', () => {
    const twiml = conversationRelayTwiml({
      url: 'wss://sdr.example.com/webhooks/twilio/t1/relay',
      action: 'https://sdr.example.com/webhooks/twilio/t1/action',
      language: 'pt-BR',
      voice: 'Voice "A" & <B>',
      interruptible: 'any',
      dtmfDetection: true,
      parameters: { callSid: 'CA1', note: '<x>&"y"' },
    });
    expect(twiml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Connect action="https://sdr.example.com/webhooks/twilio/t1/action">' +
        '<ConversationRelay url="wss://sdr.example.com/webhooks/twilio/t1/relay" language="pt-BR" voice="Voice &quot;A&quot; &amp; &lt;B&gt;" interruptible="any" dtmfDetection="true">' +
        '<Parameter name="callSid" value="CA1"/><Parameter name="note" value="&lt;x&gt;&amp;&quot;y&quot;"/>' +
        '</ConversationRelay></Connect></Response>',
    );
  });

  it('refuses a socket URL with a query string or a non-WebSocket scheme', () => {
    expect(() => conversationRelayTwiml({ url: 'wss://h/relay?tenant=1', action: 'https://h/a' })).toThrow(/query string/);
    expect(() => mediaStreamTwiml({ url: 'wss://h/stream?x', action: 'https://h/a' })).toThrow(/query string/);
    expect(() => conversationRelayTwiml({ url: 'https://h/relay', action: 'https://h/a' })).toThrow(/ws:\/\/ or wss:\/\//);
  });

  it('connects a bidirectional stream for Media Streams mode', () => {
    expect(mediaStreamTwiml({ url: 'wss://h/stream/CA1', action: 'https://h/a', parameters: { callSid: 'CA1' } })).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Connect action="https://h/a"><Stream url="wss://h/stream/CA1">' +
        '<Parameter name="callSid" value="CA1"/></Stream></Connect></Response>',
    );
  });

  it('dials a person, or hangs up', () => {
    expect(dialTwiml({ number: '+5511987654321', timeout: 30 })).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Dial answerOnBridge="true" timeout="30">+5511987654321</Dial></Response>',
    );
    expect(hangupTwiml({ say: 'Tchau & até' })).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Tchau &amp; até</Say><Hangup/></Response>',
    );
  });
});

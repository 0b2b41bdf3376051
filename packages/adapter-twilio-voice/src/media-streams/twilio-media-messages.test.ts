import { describe, expect, it } from 'vitest';
import { mediaMarks, parseTwilioInbound, twilioClearMessage, twilioMarkMessage, twilioMediaMessage } from './twilio-media-messages.js';

describe('Twilio Media Streams messages', () => {
  it('parses what Twilio sends, numeric fields as strings included, and keeps unknown events', () => {
    expect(parseTwilioInbound(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }))).toEqual({ event: 'connected' });
    expect(
      parseTwilioInbound(
        JSON.stringify({
          event: 'start',
          sequenceNumber: '1',
          streamSid: 'MZ1',
          start: {
            streamSid: 'MZ1',
            callSid: 'CA1',
            tracks: ['inbound'],
            customParameters: { tenantId: 't1' },
            mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
          },
        }),
      ),
    ).toEqual({ event: 'start', streamSid: 'MZ1', callSid: 'CA1', customParameters: { tenantId: 't1' } });
    expect(
      parseTwilioInbound(JSON.stringify({ event: 'media', media: { track: 'inbound', chunk: '2', timestamp: '40', payload: 'AAE=' } })),
    ).toEqual({
      event: 'media',
      track: 'inbound',
      payload: 'AAE=',
    });
    expect(parseTwilioInbound(JSON.stringify({ event: 'mark', mark: { name: 'p:1:800' } }))).toEqual({ event: 'mark', name: 'p:1:800' });
    expect(parseTwilioInbound(JSON.stringify({ event: 'dtmf', dtmf: { track: 'inbound_track', digit: '7' } }))).toEqual({
      event: 'dtmf',
      digit: '7',
    });
    expect(parseTwilioInbound(JSON.stringify({ event: 'stop', stop: {} }))).toEqual({ event: 'stop' });
    expect(parseTwilioInbound(JSON.stringify({ event: 'something-new' }))).toEqual({ event: 'other', name: 'something-new' });
  });

  it('returns undefined for frames that are not Media Streams messages', () => {
    expect(parseTwilioInbound('not json')).toBeUndefined();
    expect(parseTwilioInbound(JSON.stringify({ hello: 'world' }))).toBeUndefined();
    expect(parseTwilioInbound(JSON.stringify({ event: 'media', media: {} }))).toBeUndefined();
  });

  it('builds outbound media as base64 μ-law without a header, marks and clear', () => {
    const audio = new Uint8Array([0xff, 0x7f, 0x00]);
    expect(JSON.parse(twilioMediaMessage('MZ1', audio))).toEqual({ event: 'media', streamSid: 'MZ1', media: { payload: '/38A' } });
    expect(JSON.parse(twilioMarkMessage('MZ1', 'e:2'))).toEqual({ event: 'mark', streamSid: 'MZ1', mark: { name: 'e:2' } });
    expect(JSON.parse(twilioClearMessage('MZ1'))).toEqual({ event: 'clear', streamSid: 'MZ1' });
  });

  it('names marks so that an echo tells the generation and the bytes played', () => {
    expect(mediaMarks.parse(mediaMarks.progress(3, 4800))).toEqual({ kind: 'progress', generation: 3, bytes: 4800 });
    expect(mediaMarks.parse(mediaMarks.end(3))).toEqual({ kind: 'end', generation: 3 });
    expect(mediaMarks.parse('someone-elses-mark')).toBeUndefined();
  });
});

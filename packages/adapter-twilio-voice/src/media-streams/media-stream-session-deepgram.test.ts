import { noopLogger, systemClock } from '@sdr/core';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { createDeepgramSpeechToText, createDeepgramTextToSpeech } from '../deepgram/index.js';
import { startFakeDeepgramServer, type FakeDeepgramServer } from '../deepgram/testing/fake-deepgram-server.js';
import type { VoiceTurns } from '../voice-turns.js';
import { runMediaStreamSession, type MediaStreamSessionResult } from './media-stream-session.js';
import { connectFakeTwilioMediaCall, type FakeTwilioMediaCall } from './testing/fake-twilio-media-call.js';

const reply = 'Temos horários amanhã às nove, às dez e meia e às onze e quinze, e à tarde às duas e às quatro. Qual prefere?';

function recordingTurns() {
  const log = { utterances: [] as string[], interrupted: [] as string[], ended: 0 };
  const turns: VoiceTurns = {
    greeting: () => Promise.resolve('Olá!'),
    async *reply(utterance, signal) {
      log.utterances.push(utterance);
      for (const word of reply.split(/(?<= )/)) {
        if (signal.aborted) return;
        await new Promise((resolve) => setTimeout(resolve, 1));
        yield word;
      }
    },
    interrupted: (heard) => {
      log.interrupted.push(heard);
      return Promise.resolve();
    },
    dtmf: () => Promise.resolve(),
    handoff: undefined,
    end: () => {
      log.ended += 1;
      return Promise.resolve();
    },
  };
  return { turns, log };
}

let stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.reverse()) await stop();
  stops = [];
});

async function callThrough(deepgram: FakeDeepgramServer, apiKey: string, turns: VoiceTurns) {
  const config = { apiKey, baseUrl: deepgram.baseUrl };
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const result = new Promise<MediaStreamSessionResult>((resolve) =>
    server.once('connection', (socket) =>
      resolve(
        runMediaStreamSession({
          socket,
          stt: createDeepgramSpeechToText(config, { logger: noopLogger }),
          tts: createDeepgramTextToSpeech(config, { logger: noopLogger }),
          clock: systemClock,
          turns,
          logger: noopLogger,
        }),
      ),
    ),
  );
  const call = await connectFakeTwilioMediaCall(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/media`);
  stops.push(async () => {
    call.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { call, result };
}

const mediaBytes = (call: FakeTwilioMediaCall) => call.received.reduce((total, message) => total + (message.audio?.byteLength ?? 0), 0);

describe('runMediaStreamSession with the Deepgram adapters against a fake Deepgram', () => {
  it('speaks the greeting, answers the caller, and clears Twilio and Deepgram TTS on SpeechStarted', async () => {
    const deepgram = await startFakeDeepgramServer({ apiKey: 'dg-key', bytesPerCharacter: 80, audioFrameBytes: 800 });
    stops.push(() => deepgram.stop());
    const { turns, log } = recordingTurns();
    const { call, result } = await callThrough(deepgram, 'dg-key', turns);
    const [listen, speak] = await Promise.all([deepgram.nextConnection('listen'), deepgram.nextConnection('speak')]);
    call.start();

    await call.waitFor(() => call.echoedMarks.includes('e:1'));
    expect(mediaBytes(call)).toBe('Olá!'.length * 80);
    await new Promise((resolve) => setTimeout(resolve, 30));

    call.sendAudio(new Uint8Array(3200).fill(0x7f));
    await call.waitFor(() => listen.audioBytes() === 3200);
    listen.sendSpeechStarted();
    listen.sendResults({ transcript: 'tem horário', isFinal: false });
    listen.sendResults({ transcript: 'tem horário amanhã?', isFinal: true, speechFinal: true });
    await call.waitFor(() => mediaBytes(call) >= 'Olá!'.length * 80 + 2400);
    expect(log.utterances).toEqual(['tem horário amanhã?']);
    expect(speak.spokenTexts.join('')).toContain('Temos horários');

    listen.sendSpeechStarted();
    await call.waitFor(() => call.received.some((message) => message.event === 'clear'));
    await call.waitFor(() => speak.controlTypes.includes('Clear'));
    const clearIndex = call.received.findIndex((message) => message.event === 'clear');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(call.received.slice(clearIndex + 1).some((message) => message.event === 'media')).toBe(false);
    expect(log.interrupted).toHaveLength(1);
    expect(reply.startsWith(log.interrupted[0] ?? 'x')).toBe(true);
    expect((log.interrupted[0] ?? '').length).toBeLessThan(reply.length);

    call.stop();
    await expect(result).resolves.toEqual({ ended: 'stop' });
    expect(log.ended).toBe(1);
    // The session closed both Deepgram streams.
    await Promise.all([listen.closed, speak.closed]);
  });

  it('ends the call at once when Deepgram refuses the key (no retries of an AuthError)', async () => {
    const deepgram = await startFakeDeepgramServer({ apiKey: 'right-key' });
    stops.push(() => deepgram.stop());
    const { turns, log } = recordingTurns();
    const { call, result } = await callThrough(deepgram, 'wrong-key', turns);
    call.start();
    await expect(result).resolves.toEqual({ ended: 'closed' });
    expect(await call.closed).toBe(1000);
    expect(deepgram.refused.filter((refusal) => refusal.path === '/v1/listen')).toHaveLength(1);
    expect(log.ended).toBe(1);
  });
});

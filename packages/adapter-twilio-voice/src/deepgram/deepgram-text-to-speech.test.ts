import { AuthError, ProviderUnavailableError, noopLogger, type TextToSpeechEvent } from '@sdr/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createDeepgramTextToSpeech } from './deepgram-text-to-speech.js';
import { startFakeDeepgramServer, type FakeDeepgramServer } from './testing/fake-deepgram-server.js';

const format = { encoding: 'mulaw', sampleRate: 8000 } as const;
let fake: FakeDeepgramServer | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

function until(predicate: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = () => {
      if (predicate()) resolve();
      else if (Date.now() > deadline) reject(new Error('condition not met in time'));
      else setTimeout(check, 5);
    };
    check();
  });
}

describe('Deepgram streaming text-to-speech', () => {
  it('asks for raw μ-law at 8 kHz without a container, and delivers the audio of a flushed reply then Flushed', async () => {
    fake = await startFakeDeepgramServer({ apiKey: 'dg-key', bytesPerCharacter: 10, audioFrameBytes: 40 });
    const tts = createDeepgramTextToSpeech({ apiKey: 'dg-key', baseUrl: fake.baseUrl, ttsModel: 'aura-2-luna-en' }, { logger: noopLogger });
    const audio: number[] = [];
    const events: TextToSpeechEvent[] = [];
    const stream = await tts.open({ format, onAudio: (bytes) => audio.push(...bytes), onEvent: (event) => events.push(event) });
    const connection = await fake.nextConnection('speak');

    expect(connection.authorization).toBe('Token dg-key');
    expect(Object.fromEntries(connection.query)).toEqual({
      model: 'aura-2-luna-en',
      encoding: 'mulaw',
      sample_rate: '8000',
      container: 'none',
    });

    stream.speak('Olá, ');
    stream.speak('');
    stream.speak('tudo bem?');
    stream.flush();
    await until(() => events.length === 1);

    expect(connection.spokenTexts).toEqual(['Olá, ', 'tudo bem?']);
    expect(connection.controlTypes).toEqual(['Speak', 'Speak', 'Flush']);
    expect(audio).toHaveLength('Olá, tudo bem?'.length * 10);
    expect(events).toEqual([{ type: 'flushed' }]);

    await stream.close();
    expect(connection.controlTypes.at(-1)).toBe('Close');
    expect((await connection.closed).code).toBe(1000);
  });

  it('after clear() delivers no audio nor Flushed of the text before it, then speaks the next reply', async () => {
    // Large reply in small frames, held after 8 (the second, "ok", has 5): Clear lands mid-reply.
    fake = await startFakeDeepgramServer({ bytesPerCharacter: 400, audioFrameBytes: 160, holdAfterFrames: 8 });
    const tts = createDeepgramTextToSpeech({ apiKey: 'test-key', baseUrl: fake.baseUrl }, { logger: noopLogger });
    const frames: Uint8Array[] = [];
    const events: TextToSpeechEvent[] = [];
    const stream = await tts.open({ format, onAudio: (bytes) => frames.push(bytes), onEvent: (event) => events.push(event) });
    const connection = await fake.nextConnection('speak');

    stream.speak('uma resposta longa que vai ser interrompida');
    stream.flush();
    await until(() => frames.length >= 2);
    stream.clear();
    const framesAtClear = frames.length;
    await until(() => events.some((event) => event.type === 'cleared'));
    expect(frames.length).toBe(framesAtClear);

    stream.speak('ok');
    stream.flush();
    await until(() => events.filter((event) => event.type === 'flushed').length === 1);
    const after = frames.slice(framesAtClear);
    // Every frame after the clear belongs to the second flush (the fake fills frames with its sequence).
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((frame) => frame.every((byte) => byte === 2))).toBe(true);
    expect(events).toEqual([{ type: 'cleared' }, { type: 'flushed' }]);
    expect(connection.controlTypes).toEqual(['Speak', 'Flush', 'Clear', 'Speak', 'Flush']);
    await stream.close();
  });

  it('refuses a bad key with an AuthError, and fails clearly when Deepgram drops the stream', async () => {
    fake = await startFakeDeepgramServer({ apiKey: 'right-key' });
    const refused = createDeepgramTextToSpeech({ apiKey: 'wrong-key', baseUrl: fake.baseUrl }, { logger: noopLogger });
    const error = await refused.open({ format, onAudio: () => undefined, onEvent: () => undefined }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(AuthError.isInstance(error)).toBe(true);
    expect(fake.refused).toEqual([{ path: '/v1/speak', status: 401 }]);

    const tts = createDeepgramTextToSpeech({ apiKey: 'right-key', baseUrl: fake.baseUrl }, { logger: noopLogger });
    const stream = await tts.open({ format, onAudio: () => undefined, onEvent: () => undefined });
    const connection = await fake.nextConnection('speak');
    connection.close(1011, 'internal error');
    const dropped = await stream.closed.then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(ProviderUnavailableError.isInstance(dropped)).toBe(true);
    expect((dropped as Error).message).toContain('code 1011: internal error');
  });
});

import { AuthError, ProviderUnavailableError, ValidationError, noopLogger, type SpeechToTextEvent } from '@sdr/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createDeepgramSpeechToText } from './deepgram-speech-to-text.js';
import { deepgramIdleCloseReason, startFakeDeepgramServer, type FakeDeepgramServer } from './testing/fake-deepgram-server.js';

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

describe('Deepgram live speech-to-text', () => {
  it('opens /v1/listen with the token header and the telephony options, streams audio, and maps every event', async () => {
    fake = await startFakeDeepgramServer({ apiKey: 'dg-key' });
    const stt = createDeepgramSpeechToText(
      { apiKey: 'dg-key', baseUrl: fake.baseUrl, sttModel: 'nova-2-phonecall', language: 'pt-BR' },
      { logger: noopLogger },
    );
    const events: SpeechToTextEvent[] = [];
    const stream = await stt.open({ format, onEvent: (event) => events.push(event) });
    const connection = await fake.nextConnection('listen');

    expect(connection.authorization).toBe('Token dg-key');
    expect(Object.fromEntries(connection.query)).toMatchObject({
      model: 'nova-2-phonecall',
      language: 'pt-BR',
      encoding: 'mulaw',
      sample_rate: '8000',
      channels: '1',
      interim_results: 'true',
      endpointing: '300',
      utterance_end_ms: '1000',
      vad_events: 'true',
    });

    stream.sendAudio(new Uint8Array(160).fill(0xff));
    stream.sendAudio(new Uint8Array(160).fill(0xff));
    await until(() => connection.audioBytes() === 320);

    connection.sendSpeechStarted();
    connection.sendResults({ transcript: 'quero', isFinal: false });
    connection.sendResults({ transcript: '', isFinal: false });
    connection.sendResults({ transcript: 'quero marcar', isFinal: true });
    connection.sendRaw('not json at all');
    connection.sendRaw(JSON.stringify({ type: 'Metadata', request_id: 'x' }));
    connection.sendResults({ transcript: 'amanhã', isFinal: true, speechFinal: true });
    connection.sendUtteranceEnd();
    await until(() => events.length === 5);

    expect(events).toEqual([
      { type: 'speech-started' },
      { type: 'transcript', text: 'quero', isFinal: false, endOfUtterance: false },
      { type: 'transcript', text: 'quero marcar', isFinal: true, endOfUtterance: false },
      { type: 'transcript', text: 'amanhã', isFinal: true, endOfUtterance: true },
      { type: 'utterance-end' },
    ]);

    await stream.finish();
    await expect(stream.closed).resolves.toBeUndefined();
    expect(connection.controlTypes).toContain('CloseStream');
    expect((await connection.closed).code).toBe(1000);
  });

  it('sends KeepAlive while no audio flows, so Deepgram does not close the stream for silence', async () => {
    fake = await startFakeDeepgramServer({ idleTimeoutMs: 300 });
    const stt = createDeepgramSpeechToText({ apiKey: 'test-key', baseUrl: fake.baseUrl, keepAliveIntervalMs: 100 }, { logger: noopLogger });
    const stream = await stt.open({ format, onEvent: () => undefined });
    const connection = await fake.nextConnection('listen');

    await new Promise((resolve) => setTimeout(resolve, 1200));
    let closedEarly = false;
    void connection.closed.then(() => (closedEarly = true));
    await Promise.resolve();
    expect(closedEarly).toBe(false);
    expect(connection.controlTypes.filter((type) => type === 'KeepAlive').length).toBeGreaterThanOrEqual(4);
    stream.sendAudio(new Uint8Array(160));
    await until(() => connection.audioBytes() === 160);

    await stream.finish();
  });

  it('fails clearly when Deepgram closes an idle stream (no audio nor KeepAlive within its timeout)', async () => {
    fake = await startFakeDeepgramServer({ idleTimeoutMs: 200 });
    // KeepAlive far slower than the fake's idle timeout: the fake's 10 s rule, compressed.
    const stt = createDeepgramSpeechToText(
      { apiKey: 'test-key', baseUrl: fake.baseUrl, keepAliveIntervalMs: 60_000 },
      { logger: noopLogger },
    );
    const stream = await stt.open({ format, onEvent: () => undefined });
    const connection = await fake.nextConnection('listen');

    const error = await stream.closed.then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(ProviderUnavailableError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('code 1011');
    expect((error as Error).message).toContain('net0001');
    expect(await connection.closed).toEqual({ code: 1011, reason: deepgramIdleCloseReason });
    expect(connection.controlTypes).not.toContain('KeepAlive');
  });

  it('refuses a bad key with an AuthError that does not contain the key', async () => {
    fake = await startFakeDeepgramServer({ apiKey: 'right-key' });
    const stt = createDeepgramSpeechToText({ apiKey: 'wrong-key', baseUrl: fake.baseUrl }, { logger: noopLogger });
    const error = await stt.open({ format, onEvent: () => undefined }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(AuthError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('401');
    expect(JSON.stringify(error)).not.toContain('wrong-key');
    expect(fake.refused).toEqual([{ path: '/v1/listen', status: 401 }]);
  });

  it('maps an unreachable host to ProviderUnavailableError and an aborted signal to no more events', async () => {
    const unreachable = createDeepgramSpeechToText({ apiKey: 'k', baseUrl: 'ws://127.0.0.1:1' }, { logger: noopLogger });
    const error = await unreachable.open({ format, onEvent: () => undefined }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(ProviderUnavailableError.isInstance(error)).toBe(true);

    fake = await startFakeDeepgramServer();
    const stt = createDeepgramSpeechToText({ apiKey: 'test-key', baseUrl: fake.baseUrl }, { logger: noopLogger });
    const controller = new AbortController();
    const events: SpeechToTextEvent[] = [];
    const stream = await stt.open({ format, onEvent: (event) => events.push(event), signal: controller.signal });
    const connection = await fake.nextConnection('listen');
    controller.abort();
    await expect(stream.closed).resolves.toBeUndefined();
    connection.sendSpeechStarted();
    await connection.closed;
    expect(events).toEqual([]);
  });

  it('rejects a config without a key or with a non-WebSocket base URL, naming the field', () => {
    expect(() => createDeepgramSpeechToText({ apiKey: ' ' }, { logger: noopLogger })).toThrow(ValidationError);
    expect(() => createDeepgramSpeechToText({ apiKey: ' ' }, { logger: noopLogger })).toThrow(/deepgram\.apiKey/);
    expect(() => createDeepgramSpeechToText({ apiKey: 'k', baseUrl: 'https://api.deepgram.com' }, { logger: noopLogger })).toThrow(
      /deepgram\.baseUrl/,
    );
    expect(() => createDeepgramSpeechToText({ apiKey: 'k', keepAliveIntervalMs: 0 }, { logger: noopLogger })).toThrow(
      /keepAliveIntervalMs/,
    );
  });
});

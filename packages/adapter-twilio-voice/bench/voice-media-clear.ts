/**
 * Media Streams barge-in latency: the time from Deepgram's `SpeechStarted` (sent by a local fake
 * Deepgram while the agent is speaking) to Twilio's `clear` frame for Twilio's side of a
 * real local WebSocket pair, timed when the frame leaves the session's socket — through the Deepgram STT adapter, the barge-in state machine and the
 * session. Goal: p99 ≤ 20 ms. `pnpm bench voice` calls `measureClearLatency`; run this file
 * directly (`node --conditions=@sdr/source --import tsx bench/voice-media-clear.ts [samples]`) to
 * print `voice-media: clear samples=<n> p50_ms=<x> p99_ms=<x>`.
 */
import { noopLogger, systemClock, type SpeechToText } from '@sdr/core';
import { percentile } from '@sdr/core/testing';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { WebSocketServer } from 'ws';
import { createDeepgramSpeechToText, createDeepgramTextToSpeech } from '../src/deepgram/index.js';
import { startFakeDeepgramServer } from '../src/deepgram/testing/fake-deepgram-server.js';
import { runMediaStreamSession } from '../src/media-streams/media-stream-session.js';
import { connectFakeTwilioMediaCall } from '../src/media-streams/testing/fake-twilio-media-call.js';
import type { VoiceTurns } from '../src/voice-turns.js';

const reply = 'Temos horários amanhã às nove, às dez e meia e às onze. Qual prefere?';

/** A zero-latency agent: every reply is the same text at once, so only our own time is measured. */
const instantTurns: VoiceTurns = {
  greeting: () => Promise.resolve('Olá, em que posso ajudar?'),
  // eslint-disable-next-line @typescript-eslint/require-await -- an async iterable with no waiting is the point
  async *reply() {
    yield reply;
  },
  interrupted: () => Promise.resolve(),
  dtmf: () => Promise.resolve(),
  handoff: undefined,
  end: () => Promise.resolve(),
};

/** Measures `samples` barge-ins (default 200) on one call; times in milliseconds. */
export async function measureClearLatency(options: { samples?: number } = {}): Promise<{
  samples: number;
  p50Ms: number;
  p99Ms: number;
  /** From the adapter's `speech-started` to `clear` sent: the session's own share. */ sessionP99Ms: number;
}> {
  const samples = options.samples ?? 200;
  if (!Number.isInteger(samples) || samples < 1) throw new Error(`samples must be a positive integer, got ${String(options.samples)}`);
  const deepgram = await startFakeDeepgramServer({ apiKey: 'bench-key' });
  const config = { apiKey: 'bench-key', baseUrl: deepgram.baseUrl };
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  // When the STT adapter handed each `speech-started` to the session.
  const speechStartedAt: number[] = [];
  // When each `clear` frame left the session: its socket's `send`, timed.
  const clearsSentAt: number[] = [];
  const session = new Promise<unknown>((resolve) =>
    server.once('connection', (socket) => {
      const send = socket.send.bind(socket) as (data: string) => void;
      socket.send = ((data: string) => {
        if (data.startsWith('{"event":"clear"')) clearsSentAt.push(performance.now());
        send(data);
      }) as typeof socket.send;
      resolve(
        runMediaStreamSession({
          socket,
          stt: timedSpeechStarted(createDeepgramSpeechToText(config, { logger: noopLogger }), speechStartedAt),
          tts: createDeepgramTextToSpeech(config, { logger: noopLogger }),
          clock: systemClock,
          turns: instantTurns,
          logger: noopLogger,
        }),
      );
    }),
  );
  const call = await connectFakeTwilioMediaCall(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/media`);
  try {
    const listen = await deepgram.nextConnection('listen');
    call.start();
    const latencies: number[] = [];
    const inSession: number[] = [];
    for (let sample = 0; sample < samples; sample += 1) {
      if (sample > 0) listen.sendResults({ transcript: `pergunta ${sample}`, isFinal: true, speechFinal: true });
      // Speaking: audio of this reply reached Twilio's side after the previous clear.
      const mediaBefore = call.counts.media ?? 0;
      await call.waitFor(() => (call.counts.media ?? 0) > mediaBefore);
      const clearsBefore = clearsSentAt.length;
      const sentAt = performance.now();
      listen.sendSpeechStarted();
      await call.waitFor(() => (call.counts.clear ?? 0) > clearsBefore);
      const clearAt = clearsSentAt[clearsBefore] ?? Number.NaN;
      latencies.push(clearAt - sentAt);
      inSession.push(clearAt - (speechStartedAt.at(-1) ?? Number.NaN));
    }
    latencies.sort((left, right) => left - right);
    inSession.sort((left, right) => left - right);
    return {
      samples,
      p50Ms: round(percentile(latencies, 50)),
      p99Ms: round(percentile(latencies, 99)),
      sessionP99Ms: round(percentile(inSession, 99)),
    };
  } finally {
    call.stop();
    await session;
    call.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await deepgram.stop();
  }
}

/** Wraps a recogniser to note when each `speech-started` reached the session. */
function timedSpeechStarted(stt: SpeechToText, times: number[]): SpeechToText {
  return {
    ...stt,
    open: (options) =>
      stt.open({
        ...options,
        onEvent: (event) => {
          if (event.type === 'speech-started') times.push(performance.now());
          options.onEvent(event);
        },
      }),
  };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const samples = process.argv[2] === undefined ? undefined : Number(process.argv[2]);
  const result = await measureClearLatency(samples === undefined ? {} : { samples });
  console.log(
    `voice-media: clear samples=${result.samples} p50_ms=${result.p50Ms} p99_ms=${result.p99Ms} session_p99_ms=${result.sessionP99Ms} (goal p99 ≤ 20 ms)`,
  );
}

/**
 * Twilio's side of a bidirectional Media Streams call, for tests and the bench: it connects to a
 * session's WebSocket, sends `connected`, `start`, caller audio, `dtmf` and `stop`, and plays the
 * audio it receives in real time the way Twilio does: a `mark` is echoed once the audio before it
 * has played, and `clear` drops the buffered audio and echoes every pending mark at once.
 */
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { frameText } from '../../deepgram/deepgram-socket.js';

/** One message the fake received from the session, with when it arrived (`performance.now()`). */
export interface ReceivedMediaMessage {
  readonly event: string;
  readonly atMs: number;
  /** Decoded audio of a `media` message. */
  readonly audio?: Buffer;
  /** Name of a `mark`. */
  readonly mark?: string;
}

/** The fake call. */
export interface FakeTwilioMediaCall {
  readonly streamSid: string;
  readonly received: ReceivedMediaMessage[];
  /** How many messages of each event were received (cheap to poll, unlike scanning `received`). */
  readonly counts: Readonly<Record<string, number>>;
  /** Marks echoed back to the session, in order. */
  readonly echoedMarks: string[];
  /** Sends `connected` and `start` (with custom parameters). */
  start(customParameters?: Record<string, string>): void;
  /** Sends caller audio as 20 ms `media` messages. */
  sendAudio(audio: Uint8Array): void;
  sendDtmf(digit: string): void;
  stop(): void;
  /** Resolves once `predicate` holds, checked on every received message and every 5 ms (rejects after `timeoutMs`). */
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  /** Settles when the session closes the socket, with the close code. */
  readonly closed: Promise<number>;
  close(): void;
}

/** Connects to `url` (the session's WebSocket) as Twilio would. */
export async function connectFakeTwilioMediaCall(
  url: string,
  options: {
    readonly streamSid?: string;
    readonly callSid?: string;
    /** Headers of the upgrade request (Twilio signs it: `X-Twilio-Signature`). */
    readonly headers?: Readonly<Record<string, string>>;
  } = {},
): Promise<FakeTwilioMediaCall> {
  const streamSid = options.streamSid ?? 'MZ00000000000000000000000000000001';
  const socket = new WebSocket(url, { headers: { ...options.headers } });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
    socket.once('unexpected-response', (_request, response) => {
      reject(new Error(`the session refused the socket: HTTP ${response.statusCode ?? 0}`));
      response.resume();
      socket.terminate();
    });
  });
  const received: ReceivedMediaMessage[] = [];
  const echoedMarks: string[] = [];
  const counts: Record<string, number> = {};
  const checks = new Set<() => void>();
  const pendingMarks = new Map<ReturnType<typeof setTimeout>, string>();
  let playbackEndsAt = 0;
  let sequence = 0;
  let chunk = 0;
  const startedAt = performance.now();

  const send = (message: object) => {
    sequence += 1;
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ ...message, sequenceNumber: String(sequence) }));
  };
  const echo = (name: string) => {
    echoedMarks.push(name);
    send({ event: 'mark', streamSid, mark: { name } });
  };

  socket.on('message', (data) => {
    const atMs = performance.now();
    const message = JSON.parse(frameText(data)) as { event: string; media?: { payload: string }; mark?: { name: string } };
    counts[message.event] = (counts[message.event] ?? 0) + 1;
    if (message.event === 'media' && message.media) {
      const audio = Buffer.from(message.media.payload, 'base64');
      received.push({ event: 'media', atMs, audio });
      playbackEndsAt = Math.max(playbackEndsAt, atMs) + audio.byteLength / 8;
    } else if (message.event === 'mark' && message.mark) {
      const name = message.mark.name;
      received.push({ event: 'mark', atMs, mark: name });
      const timer = setTimeout(
        () => {
          pendingMarks.delete(timer);
          echo(name);
        },
        Math.max(0, playbackEndsAt - atMs),
      );
      pendingMarks.set(timer, name);
    } else {
      received.push({ event: message.event, atMs });
      if (message.event === 'clear') {
        playbackEndsAt = atMs;
        for (const [timer, name] of pendingMarks) {
          clearTimeout(timer);
          echo(name);
        }
        pendingMarks.clear();
      }
    }
    for (const check of checks) check();
  });
  const closed = new Promise<number>((resolve) =>
    socket.once('close', (code) => {
      for (const timer of pendingMarks.keys()) clearTimeout(timer);
      resolve(code);
    }),
  );

  return {
    streamSid,
    received,
    counts,
    echoedMarks,
    start(customParameters = {}) {
      send({ event: 'connected', protocol: 'Call', version: '1.0.0' });
      send({
        event: 'start',
        streamSid,
        start: {
          accountSid: 'AC00000000000000000000000000000000',
          streamSid,
          callSid: options.callSid ?? 'CA00000000000000000000000000000001',
          tracks: ['inbound'],
          customParameters,
          mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
        },
      });
    },
    sendAudio(audio) {
      for (let offset = 0; offset < audio.byteLength; offset += 160) {
        chunk += 1;
        const payload = Buffer.from(audio.subarray(offset, offset + 160)).toString('base64');
        send({
          event: 'media',
          streamSid,
          media: { track: 'inbound', chunk: String(chunk), timestamp: String(Math.round(performance.now() - startedAt)), payload },
        });
      }
    },
    sendDtmf(digit) {
      send({ event: 'dtmf', streamSid, dtmf: { track: 'inbound_track', digit } });
    },
    stop() {
      send({
        event: 'stop',
        streamSid,
        stop: { accountSid: 'AC00000000000000000000000000000000', callSid: options.callSid ?? 'CA00000000000000000000000000000001' },
      });
    },
    waitFor(predicate, timeoutMs = 5000) {
      if (predicate()) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          checks.delete(check);
          clearInterval(poll);
          reject(new Error(`condition not met within ${timeoutMs} ms`));
        }, timeoutMs);
        const check = () => {
          if (!predicate()) return;
          clearTimeout(timer);
          clearInterval(poll);
          checks.delete(check);
          resolve();
        };
        const poll = setInterval(check, 5);
        checks.add(check);
      });
    },
    closed,
    close() {
      socket.close();
    },
  };
}

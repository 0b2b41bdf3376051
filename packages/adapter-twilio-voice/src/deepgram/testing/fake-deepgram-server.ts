/**
 * A local fake of Deepgram's live WebSocket API on 127.0.0.1 (random port), for tests and the
 * bench. It checks `Authorization: Token <key>` on the upgrade (401 otherwise), records what the
 * client sends, lets a test script recogniser messages, closes an idle listen stream like Deepgram
 * does (no audio nor text message for `idleTimeoutMs`, 10 s by default, close code 1011
 * "NET-0001"), and synthesises deterministic audio for `Speak` + `Flush` with `Flushed` / `Cleared`.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { frameBytes, frameText } from '../deepgram-socket.js';

/** Deepgram's reason when it closes a stream that got neither audio nor a message for 10 s. */
export const deepgramIdleCloseReason =
  'Deepgram did not receive audio data or a text message within the timeout window. See https://dpgr.am/net0001';

/** Options of the fake. */
export interface FakeDeepgramOptions {
  /** The only key accepted; default `test-key`. */
  readonly apiKey?: string;
  /** Idle close of listen streams; default 10 000 ms like Deepgram. */
  readonly idleTimeoutMs?: number;
  /** Synthesised audio per character of text; default 80 bytes (10 ms of μ-law at 8 kHz). */
  readonly bytesPerCharacter?: number;
  /** Size of each binary audio frame sent; default 800 bytes. */
  readonly audioFrameBytes?: number;
  /**
   * Holds a flush's audio after this many frames until a `Clear` (a synthesiser slower than the
   * test): lets a test clear mid-reply however fast the machine is. Default: never holds.
   */
  readonly holdAfterFrames?: number;
}

/** A flush's audio being streamed out; `Clear` cancels it. */
interface AudioJob {
  cancelled: boolean;
  onCancel?: () => void;
}

/** One client connection as the fake saw it. */
export interface FakeDeepgramConnection {
  readonly kind: 'listen' | 'speak';
  readonly query: URLSearchParams;
  readonly authorization: string | undefined;
  /** Bytes of binary audio received (listen). */
  readonly audioBytes: () => number;
  /** Types of the JSON messages received, in order (`KeepAlive`, `CloseStream`, `Speak`, …). */
  readonly controlTypes: string[];
  /** Texts of the `Speak` messages, in order. */
  readonly spokenTexts: string[];
  /** Settles with the close code and reason, whoever closed. */
  readonly closed: Promise<{ readonly code: number; readonly reason: string }>;
  /** Sends a `Results` message. */
  sendResults(input: { readonly transcript: string; readonly isFinal: boolean; readonly speechFinal?: boolean }): void;
  /** Sends a `SpeechStarted` message. */
  sendSpeechStarted(): void;
  /** Sends an `UtteranceEnd` message. */
  sendUtteranceEnd(): void;
  /** Sends any text frame (to test tolerant parsing). */
  sendRaw(text: string): void;
  /** Closes from the server side. */
  close(code: number, reason: string): void;
}

/** A running fake. */
export interface FakeDeepgramServer {
  /** `ws://127.0.0.1:<port>`: pass as the adapter's `baseUrl`. */
  readonly baseUrl: string;
  readonly connections: FakeDeepgramConnection[];
  /** Upgrade attempts refused (bad key or path), with their HTTP status. */
  readonly refused: { readonly path: string; readonly status: number }[];
  /** Resolves with the next (or an already open, not yet awaited) connection of that kind. */
  nextConnection(kind: 'listen' | 'speak'): Promise<FakeDeepgramConnection>;
  stop(): Promise<void>;
}

/** Starts the fake on a random local port. */
export async function startFakeDeepgramServer(options: FakeDeepgramOptions = {}): Promise<FakeDeepgramServer> {
  const apiKey = options.apiKey ?? 'test-key';
  const idleTimeoutMs = options.idleTimeoutMs ?? 10_000;
  const bytesPerCharacter = options.bytesPerCharacter ?? 80;
  const audioFrameBytes = options.audioFrameBytes ?? 800;
  const holdAfterFrames = options.holdAfterFrames ?? Number.POSITIVE_INFINITY;
  const connections: FakeDeepgramConnection[] = [];
  const refused: { path: string; status: number }[] = [];
  const handed = new Set<FakeDeepgramConnection>();
  const waiters: { kind: 'listen' | 'speak'; resolve: (connection: FakeDeepgramConnection) => void }[] = [];

  const http = createServer((_request, response) => response.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true });

  http.on('upgrade', (request: IncomingMessage, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://fake');
    const kind = url.pathname === '/v1/listen' ? 'listen' : url.pathname === '/v1/speak' ? 'speak' : undefined;
    const status = kind === undefined ? 404 : request.headers.authorization === `Token ${apiKey}` ? 101 : 401;
    if (status !== 101 || kind === undefined) {
      refused.push({ path: url.pathname, status });
      const text = status === 401 ? 'Unauthorized' : 'Not Found';
      socket.end(
        `HTTP/1.1 ${status} ${text}\r\ncontent-type: application/json\r\ndg-request-id: fake-request\r\nconnection: close\r\n\r\n`,
      );
      return;
    }
    wss.handleUpgrade(request, socket, head, (client) => {
      const connection = kind === 'listen' ? listen(client, url, request) : speak(client, url, request);
      connections.push(connection);
      const waiter = waiters.findIndex((candidate) => candidate.kind === kind);
      if (waiter >= 0) {
        handed.add(connection);
        waiters.splice(waiter, 1)[0]?.resolve(connection);
      }
    });
  });

  function base(client: WebSocket, kind: 'listen' | 'speak', url: URL, request: IncomingMessage) {
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      client.once('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') })),
    );
    const send = (message: object) => {
      if (client.readyState === client.OPEN) client.send(JSON.stringify(message));
    };
    return {
      kind,
      query: url.searchParams,
      authorization: request.headers.authorization,
      controlTypes: [] as string[],
      spokenTexts: [] as string[],
      closed,
      send,
      sendResults(input: { transcript: string; isFinal: boolean; speechFinal?: boolean }) {
        send({
          type: 'Results',
          channel_index: [0, 1],
          duration: 1,
          start: 0,
          is_final: input.isFinal,
          speech_final: input.speechFinal ?? false,
          channel: { alternatives: [{ transcript: input.transcript, confidence: 0.98, words: [] }] },
        });
      },
      sendSpeechStarted() {
        send({ type: 'SpeechStarted', channel: [0], timestamp: 0 });
      },
      sendUtteranceEnd() {
        send({ type: 'UtteranceEnd', channel: [0, 1], last_word_end: 1 });
      },
      sendRaw(text: string) {
        client.send(text);
      },
      close(code: number, reason: string) {
        client.close(code, reason);
      },
    };
  }

  function listen(client: WebSocket, url: URL, request: IncomingMessage): FakeDeepgramConnection {
    const connection = base(client, 'listen', url, request);
    let audioBytes = 0;
    let idle: ReturnType<typeof setTimeout> | undefined;
    const touch = () => {
      clearTimeout(idle);
      idle = setTimeout(() => client.close(1011, deepgramIdleCloseReason), idleTimeoutMs);
    };
    touch();
    void connection.closed.then(() => clearTimeout(idle));
    client.on('message', (data, isBinary) => {
      touch();
      if (isBinary) {
        audioBytes += frameBytes(data).byteLength;
        return;
      }
      const type = messageType(frameText(data));
      connection.controlTypes.push(type);
      if (type === 'CloseStream') {
        connection.send({ type: 'Metadata', request_id: 'fake-request' });
        client.close(1000, '');
      }
    });
    return { ...connection, audioBytes: () => audioBytes };
  }

  function speak(client: WebSocket, url: URL, request: IncomingMessage): FakeDeepgramConnection {
    const connection = base(client, 'speak', url, request);
    let pending = '';
    let sequence = 0;
    // Audio of flushed text still being streamed out, frame by frame; Clear drops it.
    let streaming: AudioJob | undefined;
    client.on('message', (data, isBinary) => {
      if (isBinary) return;
      const text = frameText(data);
      const type = messageType(text);
      connection.controlTypes.push(type);
      if (type === 'Speak') {
        const spoken = (JSON.parse(text) as { text?: string }).text ?? '';
        connection.spokenTexts.push(spoken);
        pending += spoken;
      } else if (type === 'Flush') {
        const bytes = pending.length * bytesPerCharacter;
        pending = '';
        sequence += 1;
        const job: AudioJob = { cancelled: false };
        streaming = job;
        void streamAudio(client, job, bytes, sequence).then(() => {
          if (!job.cancelled) connection.send({ type: 'Flushed', sequence_id: sequence });
        });
      } else if (type === 'Clear') {
        pending = '';
        if (streaming) {
          streaming.cancelled = true;
          streaming.onCancel?.();
        }
        connection.send({ type: 'Cleared', sequence_id: sequence });
      } else if (type === 'Close') {
        client.close(1000, '');
      }
    });
    return { ...connection, audioBytes: () => 0 };
  }

  async function streamAudio(client: WebSocket, job: AudioJob, bytes: number, sequence: number): Promise<void> {
    let frames = 0;
    for (let offset = 0; offset < bytes && !job.cancelled; offset += audioFrameBytes) {
      if (frames === holdAfterFrames) {
        await new Promise<void>((resolve) => {
          job.onCancel = resolve;
        });
        return;
      }
      frames += 1;
      // Each frame's bytes are the flush's sequence number, so a test can tell replies apart.
      if (client.readyState === client.OPEN) client.send(Buffer.alloc(Math.min(audioFrameBytes, bytes - offset), sequence & 0xff));
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;

  return {
    baseUrl: `ws://127.0.0.1:${port}`,
    connections,
    refused,
    nextConnection(kind) {
      const ready = connections.find((connection) => connection.kind === kind && !handed.has(connection));
      if (ready) {
        handed.add(ready);
        return Promise.resolve(ready);
      }
      return new Promise((resolve) => waiters.push({ kind, resolve }));
    },
    async stop() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function messageType(text: string): string {
  try {
    const parsed = JSON.parse(text) as { type?: unknown };
    return typeof parsed.type === 'string' ? parsed.type : 'unknown';
  } catch {
    return 'not-json';
  }
}

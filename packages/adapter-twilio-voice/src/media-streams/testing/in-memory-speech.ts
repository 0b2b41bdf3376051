/**
 * In-memory `SpeechToText` and `TextToSpeech` for tests: the test plays the recogniser (it emits
 * the events), and the synthesiser turns each flushed text into deterministic audio, frame by
 * frame on later ticks, so a barge-in can land while a reply is still being synthesised.
 */
import type { SpeechToText, SpeechToTextEvent, SpeechToTextOpenOptions, TextToSpeech, TextToSpeechOpenOptions } from '@sdr/core';

/** The in-memory recogniser and the test's handle on it. */
export interface InMemorySpeechToText {
  readonly port: SpeechToText;
  /** Sends an event to the open stream (throws when none is open). */
  emit(event: SpeechToTextEvent): void;
  /** Bytes of caller audio received so far, over all streams. */
  readonly audioBytes: () => number;
  /** Streams opened so far. */
  readonly opened: () => number;
  /** Makes the open stream fail as a provider would (its `closed` rejects with `error`). */
  fail(error: Error): void;
}

/** Creates the in-memory recogniser. */
export function createInMemorySpeechToText(): InMemorySpeechToText {
  let current: { options: SpeechToTextOpenOptions; open: boolean; reject: (error: Error) => void; resolve: () => void } | undefined;
  let audioBytes = 0;
  let opened = 0;
  const port: SpeechToText = {
    contractVersion: 'v1',
    provider: 'in-memory',
    open(options) {
      opened += 1;
      let resolve!: () => void;
      let reject!: (error: Error) => void;
      const closed = new Promise<void>((resolveClosed, rejectClosed) => {
        resolve = resolveClosed;
        reject = rejectClosed;
      });
      closed.catch(() => undefined);
      const stream = { options, open: true, resolve, reject };
      current = stream;
      options.signal?.addEventListener('abort', () => {
        stream.open = false;
        resolve();
      });
      return Promise.resolve({
        sendAudio(audio: Uint8Array) {
          if (stream.open) audioBytes += audio.byteLength;
        },
        finish() {
          stream.open = false;
          resolve();
          return closed.catch(() => undefined);
        },
        closed,
      });
    },
  };
  return {
    port,
    emit(event) {
      if (!current?.open) throw new Error('no speech-to-text stream is open');
      current.options.onEvent(event);
    },
    audioBytes: () => audioBytes,
    opened: () => opened,
    fail(error) {
      if (!current?.open) throw new Error('no speech-to-text stream is open');
      current.open = false;
      current.reject(error);
    },
  };
}

/** The in-memory synthesiser and the test's handle on it. */
export interface InMemoryTextToSpeech {
  readonly port: TextToSpeech;
  /** Every text given to `speak`, in order. */
  readonly spoken: string[];
  /** Calls in order: `speak`, `flush`, `clear`, `close`. */
  readonly calls: string[];
}

/** Options of the in-memory synthesiser. */
export interface InMemoryTextToSpeechOptions {
  /** Audio bytes per character; default 80 (10 ms of μ-law at 8 kHz). */
  readonly bytesPerCharacter?: number;
  /** Size of each delivered audio chunk; default 320. */
  readonly chunkBytes?: number;
  /** Byte value of the audio (default 0x55), so a test can recognise it. */
  readonly fill?: number;
}

/** Creates the in-memory synthesiser. */
export function createInMemoryTextToSpeech(options: InMemoryTextToSpeechOptions = {}): InMemoryTextToSpeech {
  const bytesPerCharacter = options.bytesPerCharacter ?? 80;
  const chunkBytes = options.chunkBytes ?? 320;
  const fill = options.fill ?? 0x55;
  const spoken: string[] = [];
  const calls: string[] = [];
  const port: TextToSpeech = {
    contractVersion: 'v1',
    provider: 'in-memory',
    open(open: TextToSpeechOpenOptions) {
      let pending = '';
      let epoch = 0;
      let closed = false;
      let markClosed!: () => void;
      const closedPromise = new Promise<void>((resolve) => (markClosed = resolve));
      open.signal?.addEventListener('abort', () => {
        closed = true;
        markClosed();
      });
      const synthesise = async (text: string, at: number) => {
        for (let offset = 0; offset < text.length * bytesPerCharacter; offset += chunkBytes) {
          await new Promise((resolve) => setImmediate(resolve));
          if (epoch !== at || closed) return;
          open.onAudio(new Uint8Array(Math.min(chunkBytes, text.length * bytesPerCharacter - offset)).fill(fill));
        }
        await new Promise((resolve) => setImmediate(resolve));
        if (epoch === at && !closed) open.onEvent({ type: 'flushed' });
      };
      return Promise.resolve({
        speak(text: string) {
          calls.push('speak');
          spoken.push(text);
          pending += text;
        },
        flush() {
          calls.push('flush');
          const text = pending;
          pending = '';
          void synthesise(text, epoch);
        },
        clear() {
          calls.push('clear');
          pending = '';
          epoch += 1;
          setImmediate(() => open.onEvent({ type: 'cleared' }));
        },
        close() {
          calls.push('close');
          closed = true;
          markClosed();
          return closedPromise;
        },
        closed: closedPromise,
      });
    },
  };
  return { port, spoken, calls };
}

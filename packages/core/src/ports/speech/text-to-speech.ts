// The TextToSpeech v1 contract is documented on the `TextToSpeech` interface below, where the API reference shows it.
import type { SpeechAudioFormat } from './speech-to-text.js';

/** A reply from the synthesiser other than audio. */
export type TextToSpeechEvent =
  | {
      /** Every word given before the matching `flush()` has been turned into audio and delivered. */
      readonly type: 'flushed';
    }
  | {
      /** The synthesiser dropped everything pending after `clear()`. */
      readonly type: 'cleared';
    };

/** What `TextToSpeech.open` needs. */
export interface TextToSpeechOpenOptions {
  readonly format: SpeechAudioFormat;
  /** Receives raw audio bytes in `format` (no container, no header), in playback order. */
  readonly onAudio: (audio: Uint8Array) => void;
  /** Receives `flushed` and `cleared`, in order with the audio. */
  readonly onEvent: (event: TextToSpeechEvent) => void;
  /** Aborting closes the stream at once: no more audio or events. */
  readonly signal?: AbortSignal;
}

/** One open synthesis stream: text in, audio out through `onAudio`. */
export interface TextToSpeechStream {
  /** Queues text to be spoken after what was queued before. Chunks may split words. */
  speak(text: string): void;
  /** Marks the end of a reply: synthesise what is queued now, then send `flushed`. */
  flush(): void;
  /**
   * Barge-in: drop all queued text and audio not yet delivered. From the moment `clear()`
   * returns, `onAudio` receives no audio of text given before it, and no `flushed` of a flush
   * given before it; `cleared` follows when the provider confirmed.
   */
  clear(): void;
  /** Ends the stream politely; `closed` resolves. Idempotent. */
  close(): Promise<void>;
  /** Settles when the stream is over: rejects with an `SdrError` when the provider ended it. */
  readonly closed: Promise<void>;
}

/**
 * Streaming text-to-speech: text chunks of a reply in, audio frames out, with barge-in.
 *
 * Contract:
 * - `open` resolves once the provider accepted the stream; it rejects with `AuthError` when the
 *   credentials are refused, `ProviderUnavailableError` when the provider cannot be reached, and
 *   `AbortedError` when `signal` aborts first.
 * - Audio comes out in the order the text went in, in the requested format without a header.
 * - `clear()` is the barge-in primitive: no audio of earlier text is delivered after it returns,
 *   whatever the provider still has in flight (the adapter drops it until the provider confirms).
 * - When the provider ends the stream unexpectedly, `closed` rejects with an error naming the
 *   provider's reason.
 */
export interface TextToSpeech {
  readonly contractVersion: 'v1';
  readonly provider: string;
  /** Opens one synthesis stream (one per call). */
  open(options: TextToSpeechOpenOptions): Promise<TextToSpeechStream>;
}

// The SpeechToText v1 contract is documented on the `SpeechToText` interface below, where the API reference shows it.

/** The audio a stream carries. Telephony audio is μ-law at 8 kHz, one channel. */
export interface SpeechAudioFormat {
  readonly encoding: 'mulaw' | 'linear16';
  /** Samples per second, e.g. 8000. */
  readonly sampleRate: number;
}

/** Something the recogniser noticed in the caller's audio, in the order it noticed it. */
export type SpeechToTextEvent =
  | {
      /** Words recognised. Interim transcripts may be revised; a final one never is. */
      readonly type: 'transcript';
      readonly text: string;
      /** This text is settled: it will not be revised and belongs in the transcript. */
      readonly isFinal: boolean;
      /** The recogniser detected the end of the utterance (endpointing) after this text. */
      readonly endOfUtterance: boolean;
    }
  | {
      /** Voice activity began: the caller has started talking (used for barge-in). */
      readonly type: 'speech-started';
    }
  | {
      /** A gap after the last word long enough to end the utterance, even if endpointing missed it. */
      readonly type: 'utterance-end';
    };

/** What `SpeechToText.open` needs. */
export interface SpeechToTextOpenOptions {
  readonly format: SpeechAudioFormat;
  /**
   * Receives every event, synchronously and in order, as soon as the recogniser sends it. Must
   * not throw; it runs on the adapter's socket callback, so slow work belongs elsewhere.
   */
  readonly onEvent: (event: SpeechToTextEvent) => void;
  /** Aborting closes the stream at once (no more events); `closed` then resolves. */
  readonly signal?: AbortSignal;
}

/** One open recognition stream: audio in, events out through `onEvent`. */
export interface SpeechToTextStream {
  /** Queues audio (raw bytes in the stream's format). Ignored once the stream is closing. */
  sendAudio(audio: Uint8Array): void;
  /**
   * Asks the recogniser to finish: pending words arrive as final transcripts, then the stream
   * closes and `closed` resolves. Idempotent.
   */
  finish(): Promise<void>;
  /**
   * Settles when the stream is over: resolves after `finish()` or an abort, rejects with an
   * `SdrError` (`AuthError`, `ProviderUnavailableError`, `ProviderError`) when the provider
   * closed it or could not be reached. Never rejects without a listener-visible reason.
   */
  readonly closed: Promise<void>;
}

/**
 * Live speech-to-text: a stream of caller audio in, transcripts and voice-activity events out.
 *
 * Contract:
 * - `open` resolves once the provider accepted the stream; it rejects with `AuthError` when the
 *   credentials are refused, `ProviderUnavailableError` when the provider cannot be reached, and
 *   `AbortedError` when `signal` aborts first. Nothing is sent to `onEvent` before it resolves.
 * - Events arrive in the provider's order. A `speech-started` precedes the transcripts of the
 *   words it announces when the provider offers voice-activity events; consumers must still
 *   handle a final transcript that no `speech-started` announced.
 * - Every final transcript is delivered exactly once; interim ones are hints and may be dropped.
 * - The adapter keeps the stream alive while no audio flows (providers close idle streams), so
 *   a caller who listens for a minute does not lose the recogniser.
 * - When the provider ends the stream unexpectedly, `closed` rejects with an error naming the
 *   provider's reason; the adapter never silently stops delivering events.
 */
export interface SpeechToText {
  readonly contractVersion: 'v1';
  readonly provider: string;
  /** Opens one recognition stream (one per call). */
  open(options: SpeechToTextOpenOptions): Promise<SpeechToTextStream>;
}

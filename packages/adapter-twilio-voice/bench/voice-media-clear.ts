/**
 * `measureClearLatency`: time from Deepgram's `SpeechStarted` (while a media session speaks) to
 * Twilio's `clear` leaving the session. Media Streams mode is not in this build: it throws.
 */

/** The measured latency of `clear`. */
export interface ClearLatency {
  readonly samples: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** Measures `clear` latency over `samples` barge-ins. */
export function measureClearLatency(_options?: { readonly samples?: number }): Promise<ClearLatency> {
  return Promise.reject(new Error('media streams mode is not in this build'));
}

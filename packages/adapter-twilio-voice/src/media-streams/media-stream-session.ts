/**
 * Media Streams mode (raw μ-law audio, speech through Deepgram): the session's entry point. This
 * build ships ConversationRelay only; calling it throws.
 */
import type { Clock } from '@sdr/core';
import type { WebSocket } from 'ws';
import type { VoiceSessionDeps } from '../voice-turns.js';

/** Speech-to-text for a media session (the real type lives with the Media Streams mode). */
export type MediaSpeechToText = object;
/** Text-to-speech for a media session (the real type lives with the Media Streams mode). */
export type MediaTextToSpeech = object;

/** Options of `runMediaStreamSession`. */
export interface MediaStreamSessionOptions extends VoiceSessionDeps {
  /** The accepted Twilio Media Streams WebSocket (package `ws`). */
  readonly socket: WebSocket;
  readonly stt: MediaSpeechToText;
  readonly tts: MediaTextToSpeech;
  readonly clock: Clock;
}

/** How a media session ended. */
export interface MediaStreamSessionResult {
  readonly ended: 'stop' | 'closed' | 'handoff';
  readonly handoff?: { readonly reason: string };
}

/** Runs one call until Twilio's `stop` or the socket closes; resolves with how it ended. */
export function runMediaStreamSession(_options: MediaStreamSessionOptions): Promise<MediaStreamSessionResult> {
  return Promise.reject(new Error('media streams mode is not in this build'));
}

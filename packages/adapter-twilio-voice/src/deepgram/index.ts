/**
 * Deepgram speech for Media Streams mode. This build ships ConversationRelay only; the factories
 * throw.
 */
import type { Logger } from '@sdr/core';
import type { WebSocket } from 'ws';
import type { MediaSpeechToText, MediaTextToSpeech } from '../media-streams/media-stream-session.js';

/** Deepgram settings of a tenant. */
export interface DeepgramSpeechConfig {
  readonly apiKey: string;
  readonly sttModel?: string;
  readonly ttsModel?: string;
  readonly baseUrl?: string;
  readonly language?: string;
}

/** What the factories need from the host. */
export interface DeepgramSpeechDeps {
  readonly logger: Logger;
  readonly WebSocket?: typeof WebSocket;
}

/** Deepgram live speech-to-text. */
export function createDeepgramSpeechToText(_config: DeepgramSpeechConfig, _deps: DeepgramSpeechDeps): MediaSpeechToText {
  throw new Error('media streams mode is not in this build');
}

/** Deepgram streaming text-to-speech. */
export function createDeepgramTextToSpeech(_config: DeepgramSpeechConfig, _deps: DeepgramSpeechDeps): MediaTextToSpeech {
  throw new Error('media streams mode is not in this build');
}

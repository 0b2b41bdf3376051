/**
 * Deepgram's live WebSocket protocol: the URLs, the control messages we send and lenient schemas
 * of the JSON messages it sends (fields we do not use may be absent or change shape).
 */
import type { SpeechAudioFormat } from '@sdr/core';
import { z } from 'zod';

/** Deepgram's public API host. */
export const deepgramDefaultBaseUrl = 'wss://api.deepgram.com';
/** Live STT model used when the tenant names none. */
export const deepgramDefaultSttModel = 'nova-3';
/** TTS voice model used when the tenant names none. */
export const deepgramDefaultTtsModel = 'aura-2-thalia-en';

const encodings: Record<SpeechAudioFormat['encoding'], string> = { mulaw: 'mulaw', linear16: 'linear16' };

function endpoint(baseUrl: string, path: string, params: Record<string, string | undefined>): string {
  const url = new URL(path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
  return url.toString();
}

/** The `/v1/listen` URL with every option barge-in depends on. */
export function deepgramListenUrl(input: {
  readonly baseUrl: string;
  readonly model: string;
  readonly language: string | undefined;
  readonly format: SpeechAudioFormat;
  readonly endpointingMs: number;
  readonly utteranceEndMs: number;
}): string {
  return endpoint(input.baseUrl, 'v1/listen', {
    model: input.model,
    language: input.language,
    encoding: encodings[input.format.encoding],
    sample_rate: String(input.format.sampleRate),
    channels: '1',
    interim_results: 'true',
    endpointing: String(input.endpointingMs),
    // UtteranceEnd needs interim results; SpeechStarted needs vad_events.
    utterance_end_ms: String(input.utteranceEndMs),
    vad_events: 'true',
    punctuate: 'true',
    smart_format: 'true',
  });
}

/** The `/v1/speak` URL: raw audio, no container (a WAV header would play as a click). */
export function deepgramSpeakUrl(input: { readonly baseUrl: string; readonly model: string; readonly format: SpeechAudioFormat }): string {
  return endpoint(input.baseUrl, 'v1/speak', {
    model: input.model,
    encoding: encodings[input.format.encoding],
    sample_rate: String(input.format.sampleRate),
    container: 'none',
  });
}

/** Control messages (text frames) of the listen socket. */
export const listenControl = {
  keepAlive: JSON.stringify({ type: 'KeepAlive' }),
  closeStream: JSON.stringify({ type: 'CloseStream' }),
} as const;

/** Control messages (text frames) of the speak socket. */
export const speakControl = {
  speak: (text: string) => JSON.stringify({ type: 'Speak', text }),
  flush: JSON.stringify({ type: 'Flush' }),
  clear: JSON.stringify({ type: 'Clear' }),
  close: JSON.stringify({ type: 'Close' }),
} as const;

const resultsSchema = z.object({
  type: z.literal('Results'),
  is_final: z.boolean().nullish(),
  speech_final: z.boolean().nullish(),
  channel: z
    .object({ alternatives: z.array(z.object({ transcript: z.string().nullish() }).loose()).nullish() })
    .loose()
    .nullish(),
});

/** A message of the listen socket; unknown types are kept as `other`. */
export const listenMessageSchema = z.union([
  resultsSchema.loose(),
  z.object({ type: z.literal('SpeechStarted') }).loose(),
  z.object({ type: z.literal('UtteranceEnd') }).loose(),
  z.object({ type: z.string() }).loose(),
]);

/** A JSON message of the speak socket (audio arrives as binary frames). */
export const speakMessageSchema = z
  .object({
    type: z.string(),
    sequence_id: z.number().nullish(),
    description: z.string().nullish(),
    code: z.string().nullish(),
  })
  .loose();

/** Parses one JSON text frame, or returns undefined when it is not JSON at all. */
export function parseJsonFrame(data: string): unknown {
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Twilio Media Streams messages (bidirectional `<Connect><Stream>`): lenient schemas of what
 * Twilio sends (numeric fields arrive as strings) and builders of what we send back.
 */
import { z } from 'zod';

const startSchema = z.object({
  event: z.literal('start'),
  streamSid: z.string(),
  start: z
    .object({
      streamSid: z.string().nullish(),
      callSid: z.string().nullish(),
      customParameters: z.record(z.string(), z.string()).nullish(),
      mediaFormat: z
        .object({ encoding: z.string().nullish(), sampleRate: z.union([z.number(), z.string()]).nullish() })
        .loose()
        .nullish(),
    })
    .loose(),
});

const mediaSchema = z.object({ media: z.object({ track: z.string().nullish(), payload: z.string() }).loose() }).loose();
const markSchema = z.object({ mark: z.object({ name: z.string() }).loose() }).loose();
const dtmfSchema = z.object({ dtmf: z.object({ digit: z.string() }).loose() }).loose();
const envelopeSchema = z.object({ event: z.string() }).loose();

/** A parsed inbound message, narrowed by `event`. */
export type TwilioInbound =
  | { readonly event: 'connected' }
  | {
      readonly event: 'start';
      readonly streamSid: string;
      readonly callSid: string | undefined;
      readonly customParameters: Readonly<Record<string, string>>;
    }
  | { readonly event: 'media'; readonly track: string | undefined; readonly payload: string }
  | { readonly event: 'mark'; readonly name: string }
  | { readonly event: 'dtmf'; readonly digit: string }
  | { readonly event: 'stop' }
  | { readonly event: 'other'; readonly name: string };

/** Parses one text frame from Twilio; undefined when it is not a Media Streams message. */
export function parseTwilioInbound(text: string): TwilioInbound | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) return undefined;
  // A known event with a malformed body is refused, never half-read.
  switch (envelope.data.event) {
    case 'connected':
    case 'stop':
      return { event: envelope.data.event };
    case 'start': {
      const start = startSchema.safeParse(json);
      if (!start.success) return undefined;
      return {
        event: 'start',
        streamSid: start.data.streamSid,
        callSid: start.data.start.callSid ?? undefined,
        customParameters: start.data.start.customParameters ?? {},
      };
    }
    case 'media': {
      const media = mediaSchema.safeParse(json);
      return media.success ? { event: 'media', track: media.data.media.track ?? undefined, payload: media.data.media.payload } : undefined;
    }
    case 'mark': {
      const mark = markSchema.safeParse(json);
      return mark.success ? { event: 'mark', name: mark.data.mark.name } : undefined;
    }
    case 'dtmf': {
      const dtmf = dtmfSchema.safeParse(json);
      return dtmf.success ? { event: 'dtmf', digit: dtmf.data.dtmf.digit } : undefined;
    }
    default:
      return { event: 'other', name: envelope.data.event };
  }
}

/** Outbound audio: raw μ-law 8 kHz, base64, no WAV header. */
export function twilioMediaMessage(streamSid: string, audio: Uint8Array): string {
  return JSON.stringify({
    event: 'media',
    streamSid,
    media: { payload: Buffer.from(audio.buffer, audio.byteOffset, audio.byteLength).toString('base64') },
  });
}

/** A mark: Twilio echoes it once the audio sent before it has played (or at once on `clear`). */
export function twilioMarkMessage(streamSid: string, name: string): string {
  return JSON.stringify({ event: 'mark', streamSid, mark: { name } });
}

/** Drops all audio Twilio has buffered for the call. */
export function twilioClearMessage(streamSid: string): string {
  return JSON.stringify({ event: 'clear', streamSid });
}

/** Names of our marks: progress (`p:<generation>:<bytes sent>`) and end of a reply (`e:<generation>`). */
export const mediaMarks = {
  progress: (generation: number, bytes: number) => `p:${generation}:${bytes}`,
  end: (generation: number) => `e:${generation}`,
  parse(
    name: string,
  ):
    | { readonly kind: 'progress'; readonly generation: number; readonly bytes: number }
    | { readonly kind: 'end'; readonly generation: number }
    | undefined {
    const progress = /^p:(\d+):(\d+)$/.exec(name);
    if (progress) return { kind: 'progress', generation: Number(progress[1]), bytes: Number(progress[2]) };
    const end = /^e:(\d+)$/.exec(name);
    return end ? { kind: 'end', generation: Number(end[1]) } : undefined;
  },
} as const;

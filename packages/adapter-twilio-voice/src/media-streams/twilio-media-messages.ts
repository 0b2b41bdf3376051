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

/** One message from Twilio; unknown events are kept as `other`. */
export const twilioInboundSchema = z.union([
  z.object({ event: z.literal('connected') }).loose(),
  startSchema.loose(),
  z.object({ event: z.literal('media'), media: z.object({ track: z.string().nullish(), payload: z.string() }).loose() }).loose(),
  z.object({ event: z.literal('mark'), mark: z.object({ name: z.string() }).loose() }).loose(),
  z.object({ event: z.literal('dtmf'), dtmf: z.object({ digit: z.string() }).loose() }).loose(),
  z.object({ event: z.literal('stop') }).loose(),
  z.object({ event: z.string() }).loose(),
]);

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
  const parsed = twilioInboundSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const message = parsed.data as Record<string, unknown> & { event: string };
  switch (message.event) {
    case 'connected':
    case 'stop':
      return { event: message.event };
    case 'start': {
      const start = startSchema.parse(message);
      return {
        event: 'start',
        streamSid: start.streamSid,
        callSid: start.start.callSid ?? undefined,
        customParameters: start.start.customParameters ?? {},
      };
    }
    case 'media': {
      const media = message.media as { track?: string | null; payload: string };
      return { event: 'media', track: media.track ?? undefined, payload: media.payload };
    }
    case 'mark':
      return { event: 'mark', name: (message.mark as { name: string }).name };
    case 'dtmf':
      return { event: 'dtmf', digit: (message.dtmf as { digit: string }).digit };
    default:
      return { event: 'other', name: message.event };
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

/**
 * ConversationRelay's WebSocket messages: what Twilio sends (parsed leniently — unknown fields
 * kept out, numbers that arrive as strings read with `Number`) and what the server sends back
 * (built here so that every message Twilio would reject as invalid is impossible to write).
 */
import { z } from 'zod';

const setupSchema = z.object({
  type: z.literal('setup'),
  sessionId: z.string().nullish(),
  callSid: z.string().min(1),
  from: z.string().nullish(),
  to: z.string().nullish(),
  direction: z.string().nullish(),
  customParameters: z.record(z.string(), z.unknown()).nullish(),
});

const promptSchema = z.object({
  type: z.literal('prompt'),
  voicePrompt: z.string(),
  lang: z.string().nullish(),
  // Only partial prompts carry `last: false`.
  last: z.boolean().nullish(),
});

const interruptSchema = z.object({
  type: z.literal('interrupt'),
  utteranceUntilInterrupt: z.string().nullish(),
  durationUntilInterruptMs: z.union([z.string(), z.number()]).nullish(),
});

const dtmfSchema = z.object({ type: z.literal('dtmf'), digit: z.string().min(1) });
const errorSchema = z.object({ type: z.literal('error'), description: z.string().nullish() });

/** `setup`: the call is connected. */
export interface RelaySetup {
  readonly type: 'setup';
  readonly sessionId: string | null;
  readonly callSid: string;
  /** The caller's number (or client identity). */
  readonly from: string | null;
  readonly to: string | null;
  readonly direction: string | null;
  /** The `<Parameter>`s of the TwiML, as strings. */
  readonly customParameters: Readonly<Record<string, string>>;
}

/** A message from Twilio, as the session acts on it. */
export type RelayInbound =
  | RelaySetup
  | { readonly type: 'prompt'; readonly text: string; readonly last: boolean; readonly lang: string | null }
  | { readonly type: 'interrupt'; readonly heard: string; readonly durationMs: number | null }
  | { readonly type: 'dtmf'; readonly digit: string }
  | { readonly type: 'error'; readonly description: string }
  /** Anything else (`info`, unknown types): ignored. */
  | { readonly type: 'other'; readonly name: string };

/** Why a frame could not be read. */
export class RelayProtocolError extends Error {
  override readonly name = 'RelayProtocolError';
}

function durationOf(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}

/** Reads one text frame; a frame that is not JSON or whose known type is malformed throws `RelayProtocolError`. */
export function parseRelayMessage(frame: string): RelayInbound {
  let json: unknown;
  try {
    json = JSON.parse(frame);
  } catch {
    throw new RelayProtocolError('frame: not JSON');
  }
  const type = typeof json === 'object' && json !== null && 'type' in json && typeof json.type === 'string' ? json.type : null;
  if (type === null) throw new RelayProtocolError('frame: no "type"');
  const fail = (error: z.ZodError) =>
    new RelayProtocolError(`${type}: ${error.issues.map((issue) => `${issue.path.join('.') || 'frame'} ${issue.message}`).join('; ')}`);
  switch (type) {
    case 'setup': {
      const parsed = setupSchema.safeParse(json);
      if (!parsed.success) throw fail(parsed.error);
      const { data } = parsed;
      const customParameters = Object.fromEntries(
        Object.entries(data.customParameters ?? {}).flatMap(([key, value]) => (typeof value === 'string' ? [[key, value]] : [])),
      );
      return {
        type: 'setup',
        sessionId: data.sessionId ?? null,
        callSid: data.callSid,
        from: data.from ?? null,
        to: data.to ?? null,
        direction: data.direction ?? null,
        customParameters,
      };
    }
    case 'prompt': {
      const parsed = promptSchema.safeParse(json);
      if (!parsed.success) throw fail(parsed.error);
      return { type: 'prompt', text: parsed.data.voicePrompt, last: parsed.data.last !== false, lang: parsed.data.lang ?? null };
    }
    case 'interrupt': {
      const parsed = interruptSchema.safeParse(json);
      if (!parsed.success) throw fail(parsed.error);
      return {
        type: 'interrupt',
        heard: parsed.data.utteranceUntilInterrupt ?? '',
        durationMs: durationOf(parsed.data.durationUntilInterruptMs),
      };
    }
    case 'dtmf': {
      const parsed = dtmfSchema.safeParse(json);
      if (!parsed.success) throw fail(parsed.error);
      return { type: 'dtmf', digit: parsed.data.digit };
    }
    case 'error': {
      const parsed = errorSchema.safeParse(json);
      if (!parsed.success) throw fail(parsed.error);
      return { type: 'error', description: parsed.data.description ?? '' };
    }
    default:
      return { type: 'other', name: type };
  }
}

/** A `text` message: one token of the reply; `last` closes the turn. */
export function relayText(token: string, last: boolean): string {
  return JSON.stringify({ type: 'text', token, last });
}

/** An `end` message: Twilio ends the session and calls the `<Connect action>` URL with `HandoffData`. */
export function relayEnd(handoff: Readonly<Record<string, string>> | null): string {
  return JSON.stringify(handoff === null ? { type: 'end' } : { type: 'end', handoffData: JSON.stringify(handoff) });
}

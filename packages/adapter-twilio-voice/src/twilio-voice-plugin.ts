/**
 * The `voice` integration descriptor (core's `AdapterPlugin`), provider `twilio`. Its port,
 * `VoicePort`, is what the server's webhook and socket routes need for one tenant: the signature
 * check against the tenant's public URLs, and the TwiML answers of the three webhooks.
 */
import type { AdapterPlugin, PluginDeps } from '@sdr/core';
import { conversationRelayTwiml, dialTwiml, hangupTwiml, mediaStreamTwiml } from './twiml.js';
import { twilioVoiceConfigSchema, type TwilioVoiceConfig } from './twilio-voice-config.js';
import { validateTwilioSignature, type TwilioParams, type TwilioSignatureVerdict } from './twilio-signature.js';

declare module '@sdr/core' {
  interface PluginPortMap {
    voice: VoicePort;
  }
}

/** The public URLs of a tenant's voice webhooks and sockets. */
export interface VoiceUrls {
  /** `POST …/voice`: an incoming call. */
  readonly voice: string;
  /** `POST …/status`: call status callbacks. */
  readonly status: string;
  /** `POST …/action`: what to do once the session ended. */
  readonly action: string;
  /** The ConversationRelay socket (`wss://…/relay`). */
  readonly relay: string;
  /** The Media Streams socket (`wss://…/stream`), followed by `/{CallSid}`. */
  readonly stream: string;
}

/** What the action webhook reports about the session that ended. */
export interface SessionOutcome {
  /** `HandoffData` of the `end` message (a JSON string), when the session handed the call over. */
  readonly handoffData?: string | undefined;
  /** `SessionStatus` (`completed`, `ended`, `failed`…), as Twilio sends it. */
  readonly sessionStatus?: string | undefined;
}

/** The voice port of a tenant (what `create` builds). */
export interface VoicePort {
  readonly provider: 'twilio';
  readonly config: TwilioVoiceConfig;
  readonly urls: VoiceUrls;
  /** Checks a webhook's signature: `path` is the request's path and query as received. */
  verifyWebhook(input: {
    readonly path: string;
    readonly signature: string | readonly string[] | undefined;
    readonly params?: TwilioParams;
    readonly rawBody?: string | Uint8Array;
  }): TwilioSignatureVerdict;
  /** Checks a WebSocket handshake's signature (a GET: the URL alone, `wss://` or `https://` spelling). */
  verifySocket(input: { readonly path: string; readonly signature: string | readonly string[] | undefined }): TwilioSignatureVerdict;
  /**
   * The TwiML answering an incoming call: the session socket of the configured mode. In Media
   * Streams mode the caller's number (`from`) travels as a `<Parameter>`, so whichever process
   * accepts the socket reads it from `start.customParameters`.
   */
  answerCall(input: { readonly callSid: string; readonly language: string; readonly from?: string | undefined }): string;
  /** The TwiML of the action webhook: `<Dial>` the person on a handoff (or a failed session), else `<Hangup/>`. */
  afterSession(outcome: SessionOutcome): string;
}

/** The base URL without trailing slashes. */
export function normalisePublicBaseUrl(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Where Twilio reaches a tenant's voice webhooks and sockets under `publicBaseUrl`. */
export function voiceUrlsOf(publicBaseUrl: string, tenantId: string): VoiceUrls {
  const base = `${normalisePublicBaseUrl(publicBaseUrl)}/webhooks/twilio/${encodeURIComponent(tenantId)}`;
  const socketBase = base.replace(/^http/, 'ws');
  return {
    voice: `${base}/voice`,
    status: `${base}/status`,
    action: `${base}/action`,
    relay: `${socketBase}/relay`,
    stream: `${socketBase}/stream`,
  };
}

/** Failed or dropped sessions are transferred rather than hung up on (a caller left alone is worse). */
const failedStatuses = new Set(['failed', 'error']);

/** Parses `HandoffData` (a JSON string, or plain text) for a reason; `null` when there is none. */
export function handoffReasonOf(handoffData: string | undefined): string | null {
  if (handoffData === undefined || handoffData.trim() === '') return null;
  try {
    const parsed = JSON.parse(handoffData) as unknown;
    if (typeof parsed === 'object' && parsed !== null && 'reason' in parsed && typeof parsed.reason === 'string') return parsed.reason;
    return 'handoff';
  } catch {
    return 'handoff';
  }
}

/** Builds a tenant's port (no I/O). */
export function createTwilioVoice(config: TwilioVoiceConfig, tenantId: string): VoicePort {
  const base = normalisePublicBaseUrl(config.publicBaseUrl);
  const urls = voiceUrlsOf(base, tenantId);
  const publicUrl = (path: string) => `${base}${path}`;
  return {
    provider: 'twilio',
    config,
    urls,
    verifyWebhook(input) {
      return validateTwilioSignature({
        authToken: config.authToken,
        url: publicUrl(input.path),
        signature: input.signature,
        ...(input.params === undefined ? {} : { params: input.params }),
        ...(input.rawBody === undefined ? {} : { rawBody: input.rawBody }),
      });
    },
    verifySocket(input) {
      // Twilio signs the socket URL as written in the TwiML (wss://); the https spelling is
      // accepted too, as which one is signed is not documented for every socket kind.
      const socketUrl = publicUrl(input.path).replace(/^http/, 'ws');
      const socket = validateTwilioSignature({ authToken: config.authToken, url: socketUrl, signature: input.signature });
      if (socket.ok) return socket;
      const https = validateTwilioSignature({ authToken: config.authToken, url: publicUrl(input.path), signature: input.signature });
      return https.ok ? https : socket;
    },
    answerCall(input) {
      const parameters = { callSid: input.callSid };
      // The stream's path names the call: its first frame comes before Twilio says which call it is.
      if (config.mode === 'media_streams') {
        return mediaStreamTwiml({
          url: `${urls.stream}/${encodeURIComponent(input.callSid)}`,
          action: urls.action,
          parameters: input.from === undefined || input.from === '' ? parameters : { ...parameters, from: input.from },
        });
      }
      return conversationRelayTwiml({
        url: urls.relay,
        action: urls.action,
        language: input.language,
        voice: config.voice,
        ttsProvider: config.ttsProvider,
        transcriptionProvider: config.transcriptionProvider,
        interruptible: 'any',
        dtmfDetection: true,
        parameters,
      });
    },
    afterSession(outcome) {
      const handoff = handoffReasonOf(outcome.handoffData) !== null;
      const failed = failedStatuses.has((outcome.sessionStatus ?? '').toLowerCase());
      if ((handoff || failed) && config.humanNumber !== undefined) return dialTwiml({ number: config.humanNumber, timeout: 30 });
      return hangupTwiml();
    },
  };
}

type TwilioVoiceAdapterPlugin = AdapterPlugin<'voice', TwilioVoiceConfig, VoicePort>;

/** The Twilio voice plugin: kind `voice`, provider `twilio`. */
export interface TwilioVoicePlugin extends TwilioVoiceAdapterPlugin {
  create(config: TwilioVoiceConfig, deps: PluginDeps): VoicePort;
}

const plugin: TwilioVoicePlugin = {
  contractVersion: 'v1',
  kind: 'voice',
  provider: 'twilio',
  displayName: 'Phone (Twilio)',
  configSchema: twilioVoiceConfigSchema,
  /** Wires the port; no I/O. */
  create(config: TwilioVoiceConfig, deps: PluginDeps): VoicePort {
    return createTwilioVoice(config, deps.tenantId);
  },
};

/** The phone through Twilio Programmable Voice. */
export const twilioVoicePlugin: TwilioVoicePlugin = Object.freeze(plugin);

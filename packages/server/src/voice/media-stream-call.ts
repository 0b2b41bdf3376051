/**
 * A Media Streams socket served by whichever process accepted it: the call's conversation is
 * opened once Twilio's `start` message says who is calling (the `from` `<Parameter>` the `voice`
 * webhook put in the TwiML; what this process remembered at the webhook otherwise), and the
 * session speaks through Deepgram with the tenant's settings.
 */
import {
  createDeepgramSpeechToText,
  createDeepgramTextToSpeech,
  runMediaStreamSession,
  type VoicePort,
  type VoiceTurns,
} from '@sdr/adapter-twilio-voice';
import { maskPhone, type Clock, type Logger, type Tenant } from '@sdr/core';
import type { WebSocket } from 'ws';
import type { CallRegistry } from './call-registry.js';
import type { VoiceCall, VoiceCallInput } from './voice-call.js';

/** What a Media Streams call runs on. */
export interface MediaStreamCallDeps {
  readonly logger: Logger;
  readonly clock: Clock;
  readonly calls: CallRegistry;
  readonly openCall: (input: VoiceCallInput) => Promise<VoiceCall>;
}

/** The `start` message's call and parameters, or `undefined` for any other message. */
function startOf(data: unknown): { callSid: string | undefined; parameters: Record<string, unknown> } | undefined {
  let message: unknown;
  try {
    message = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : String(data));
  } catch {
    return undefined;
  }
  if (typeof message !== 'object' || message === null || (message as { event?: unknown }).event !== 'start') return undefined;
  const start = (message as { start?: unknown }).start;
  if (typeof start !== 'object' || start === null) return { callSid: undefined, parameters: {} };
  const { callSid, customParameters } = start as { callSid?: unknown; customParameters?: unknown };
  return {
    callSid: typeof callSid === 'string' ? callSid : undefined,
    parameters: typeof customParameters === 'object' && customParameters !== null ? (customParameters as Record<string, unknown>) : {},
  };
}

/** Runs one Media Streams call on an accepted, signed socket whose path named `callSid`. */
export function runMediaStreamCall(
  deps: MediaStreamCallDeps,
  input: { readonly socket: WebSocket; readonly voice: VoicePort; readonly tenant: Promise<Tenant | null>; readonly callSid: string },
): Promise<unknown> {
  const { socket, voice, callSid } = input;
  const { logger } = deps;
  const deepgram = voice.config.deepgram;
  if (deepgram === undefined) {
    socket.close(1011, 'no speech vendor configured');
    return Promise.resolve();
  }
  let resolveCall!: (call: VoiceCall) => void;
  let rejectCall!: (error: Error) => void;
  const call = new Promise<VoiceCall>((resolve, reject) => {
    resolveCall = resolve;
    rejectCall = reject;
  });
  // Awaited by the turns below; a call that never opens must not be an unhandled rejection.
  call.catch(() => undefined);
  let started = false;
  let opened: VoiceCall | undefined;

  const open = async (start: NonNullable<ReturnType<typeof startOf>>): Promise<VoiceCall> => {
    if (start.callSid !== undefined && start.callSid !== callSid)
      throw new Error('start: the call is not the one the socket was opened for');
    const tenant = await input.tenant;
    if (tenant === null) throw new Error('tenant not found');
    const parameter = start.parameters.from;
    const remembered = deps.calls.get(callSid);
    const from = typeof parameter === 'string' && parameter !== '' ? parameter : remembered?.tenantId === tenant.id ? remembered.from : '';
    if (from === '') throw new Error('start: no caller number (neither a from parameter nor a call answered here)');
    logger.info({ tenantId: tenant.id, callSid, caller: maskPhone(from) }, 'media stream: call opened');
    return deps.openCall({ tenant, from, callSid });
  };
  // Registered before the session's own listener: the call opens as the greeting is asked for.
  socket.on('message', (data, isBinary) => {
    if (started || isBinary) return;
    const start = startOf(data);
    if (start === undefined) return;
    started = true;
    open(start).then(
      (opening) => {
        opened = opening;
        resolveCall(opening);
      },
      (error: unknown) => {
        logger.error(
          { callSid, error: error instanceof Error ? error.message.slice(0, 300) : 'failed' },
          'media stream: the call could not be opened',
        );
        rejectCall(error instanceof Error ? error : new Error('the call could not be opened'));
        socket.close(1011, 'unknown call');
      },
    );
  });
  socket.once('close', () => {
    if (!started) rejectCall(new Error('the socket closed before the call started'));
  });

  const turns: VoiceTurns = {
    greeting: async () => (await call).greeting(),
    async *reply(utterance, signal) {
      yield* (await call).reply(utterance, signal);
    },
    interrupted: async (heard) => (await call).interrupted(heard),
    dtmf: async (digit) => (await call).dtmf(digit),
    get handoff() {
      return opened?.handoff;
    },
    async end() {
      // A socket that never started has no conversation to close.
      const current = await call.catch(() => undefined);
      await current?.end();
    },
  };
  const speech = {
    apiKey: deepgram.apiKey,
    ...(deepgram.sttModel === undefined ? {} : { sttModel: deepgram.sttModel }),
    ...(deepgram.ttsModel === undefined ? {} : { ttsModel: deepgram.ttsModel }),
    ...(deepgram.baseUrl === undefined ? {} : { baseUrl: deepgram.baseUrl }),
    ...(voice.config.language === undefined ? {} : { language: voice.config.language }),
  };
  return runMediaStreamSession({
    socket,
    turns,
    logger,
    clock: deps.clock,
    stt: createDeepgramSpeechToText(speech, { logger }),
    tts: createDeepgramTextToSpeech(speech, { logger }),
  });
}

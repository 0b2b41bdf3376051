/**
 * One phone call over Twilio Media Streams: caller audio to the recogniser, final utterances to
 * the agent, its reply through the synthesiser back to Twilio paced near real time, and barge-in
 * decided by the pure state machine in `barge-in.ts`. This file only applies its commands.
 */
import {
  SdrError,
  type Clock,
  type SpeechToText,
  type SpeechToTextEvent,
  type SpeechToTextStream,
  type TextToSpeech,
  type TextToSpeechStream,
} from '@sdr/core';
import type { WebSocket } from 'ws';
import type { VoiceSessionDeps } from '../voice-turns.js';
import { createAudioPacer } from './audio-pacer.js';
import {
  bargeInStep,
  defaultBargeInOptions,
  initialBargeInState,
  type BargeInCommand,
  type BargeInEvent,
  type BargeInOptions,
} from './barge-in.js';
import { frameText } from '../deepgram/deepgram-socket.js';
import { mediaMarks, parseTwilioInbound, twilioClearMessage, twilioMarkMessage, twilioMediaMessage } from './twilio-media-messages.js';

/** What `runMediaStreamSession` needs. */
export interface MediaStreamSessionOptions extends VoiceSessionDeps {
  /** The accepted Twilio Media Streams WebSocket (package `ws`). */
  readonly socket: WebSocket;
  readonly stt: SpeechToText;
  readonly tts: TextToSpeech;
  readonly clock: Clock;
  /** Media clock tuning; μ-law at 8 kHz and 15 characters a second by default. */
  readonly bargeIn?: BargeInOptions;
  /** How far ahead of real time audio is sent to Twilio; default 80 ms. */
  readonly playbackLeadMs?: number;
  /** How many times a failed speech stream is reopened before the call is ended; default 2. */
  readonly speechReopenAttempts?: number;
}

/** How a media stream session ended. */
export interface MediaStreamSessionResult {
  readonly ended: 'stop' | 'closed' | 'handoff';
  readonly handoff?: { readonly reason: string };
}

const format = { encoding: 'mulaw', sampleRate: 8000 } as const;

/** Runs one call until Twilio's `stop` or the socket closes; resolves with how it ended. */
export function runMediaStreamSession(options: MediaStreamSessionOptions): Promise<MediaStreamSessionResult> {
  const { socket, turns, logger, clock } = options;
  const bargeInOptions = options.bargeIn ?? defaultBargeInOptions;
  const reopenAttempts = options.speechReopenAttempts ?? 2;
  const lifetime = new AbortController();
  const replies = new Map<number, AbortController>();
  let state = initialBargeInState;
  let streamSid: string | undefined;
  let stt: SpeechToTextStream | undefined;
  let tts: TextToSpeechStream | undefined;
  let finished: Promise<MediaStreamSessionResult> | undefined;
  let resolveSession!: (result: MediaStreamSessionResult) => void;
  const session = new Promise<MediaStreamSessionResult>((resolve) => (resolveSession = resolve));
  const nowMs = () => clock.now().getTime();
  let speechReady!: () => void;
  const ttsOpened = new Promise<void>((resolve) => (speechReady = resolve));

  const sendJson = (message: string) => {
    if (socket.readyState === socket.OPEN) socket.send(message);
  };
  const pacer = createAudioPacer({
    clock,
    leadMs: options.playbackLeadMs,
    sendAudio: (frame) => streamSid !== undefined && sendJson(twilioMediaMessage(streamSid, frame)),
    sendMark: (name) => streamSid !== undefined && sendJson(twilioMarkMessage(streamSid, name)),
    onAudioSent: (generation, bytes, atMs) => dispatch({ type: 'audio-sent', generation, bytes, atMs }),
  });

  function dispatch(event: BargeInEvent): void {
    if (lifetime.signal.aborted) return;
    const step = bargeInStep(state, event, bargeInOptions);
    state = step.state;
    for (const command of step.commands) execute(command);
  }

  function execute(command: BargeInCommand): void {
    switch (command.type) {
      case 'clear-playback':
        // First, and synchronously: every millisecond here is audio the caller hears over their own voice.
        if (streamSid !== undefined) sendJson(twilioClearMessage(streamSid));
        pacer.clear();
        logger.info({ generation: command.generation, reason: command.reason }, 'media stream: playback cleared');
        return;
      case 'clear-speech':
        tts?.clear();
        return;
      case 'abort-reply':
        replies.get(command.generation)?.abort();
        return;
      case 'record-interruption':
        replies.delete(command.generation);
        turns
          .interrupted(command.heard)
          .catch((error: unknown) => logger.error({ error: describe(error) }, 'media stream: recording the interruption failed'));
        // Handed to a person already: interrupting the goodbye does not keep the caller with the agent.
        if (turns.handoff !== undefined) void finish('handoff');
        return;
      case 'start-reply':
        void streamReply(command.generation, command.utterance);
        return;
      case 'speak':
        tts?.speak(command.text);
        return;
      case 'flush-speech':
        tts?.flush();
        return;
      case 'play':
        pacer.enqueue(command.generation, command.audio);
        return;
      case 'end-playback':
        pacer.enqueueMark(mediaMarks.end(command.generation));
        return;
      case 'reply-finished':
        replies.delete(command.generation);
        if (turns.handoff !== undefined) void finish('handoff');
        return;
    }
  }

  async function streamReply(generation: number, utterance: string): Promise<void> {
    const controller = new AbortController();
    replies.set(generation, controller);
    try {
      for await (const chunk of turns.reply(utterance, controller.signal)) {
        if (controller.signal.aborted) break;
        dispatch({ type: 'reply-chunk', generation, text: chunk });
      }
    } catch (error) {
      // The caller hears what was produced so far rather than silence.
      if (!controller.signal.aborted) logger.error({ generation, error: describe(error) }, 'media stream: the reply failed');
    }
    if (!controller.signal.aborted) dispatch({ type: 'reply-done', generation });
  }

  function onSpeechEvent(event: SpeechToTextEvent): void {
    switch (event.type) {
      case 'speech-started':
        dispatch({ type: 'speech-started', atMs: nowMs() });
        return;
      case 'utterance-end':
        dispatch({ type: 'utterance-end' });
        return;
      case 'transcript':
        dispatch({ type: 'transcript', text: event.text, isFinal: event.isFinal, endOfUtterance: event.endOfUtterance, atMs: nowMs() });
        return;
    }
  }

  // A speech stream that fails is reopened a few times; after that the call cannot go on.
  async function keepOpen<T extends { readonly closed: Promise<void> }>(
    name: string,
    open: () => Promise<T>,
    use: (stream: T | undefined) => void,
  ): Promise<void> {
    const over = () => lifetime.signal.aborted;
    for (let attempt = 0; attempt <= reopenAttempts && !over(); attempt += 1) {
      try {
        const stream = await open();
        use(stream);
        await stream.closed;
        return;
      } catch (error) {
        use(undefined);
        if (over()) return;
        logger.warn({ stream: name, attempt, error: describe(error) }, 'media stream: speech stream failed');
        // A refused key or undecodable audio will not get better by reopening.
        if (SdrError.isInstance(error) && !error.retryable) break;
      }
    }
    if (!over()) {
      logger.error({ stream: name }, 'media stream: speech stream could not be kept open; ending the call');
      void finish('closed');
    }
  }

  void keepOpen(
    'speech-to-text',
    () => options.stt.open({ format, onEvent: onSpeechEvent, signal: lifetime.signal }),
    (stream) => (stt = stream),
  );
  void keepOpen(
    'text-to-speech',
    () =>
      options.tts.open({
        format,
        signal: lifetime.signal,
        onAudio: (audio) => dispatch({ type: 'speech-audio', audio }),
        onEvent: (event) => event.type === 'flushed' && dispatch({ type: 'speech-flushed' }),
      }),
    (stream) => {
      tts = stream;
      if (stream !== undefined) speechReady();
    },
  );

  async function greet(): Promise<void> {
    try {
      // The greeting is spoken once the synthesiser is open: said earlier, it would be lost.
      const [text] = await Promise.all([turns.greeting(), ttsOpened]);
      dispatch({ type: 'greeting', text });
    } catch (error) {
      logger.error({ error: describe(error) }, 'media stream: the greeting failed');
    }
  }

  socket.on('message', (data, isBinary) => {
    if (isBinary) return;
    const message = parseTwilioInbound(frameText(data));
    if (message === undefined) {
      logger.warn({}, 'media stream: a message that is not a Media Streams event was ignored');
      return;
    }
    switch (message.event) {
      case 'start':
        streamSid = message.streamSid;
        logger.info({ callSid: message.callSid, streamSid }, 'media stream: started');
        void greet();
        return;
      case 'media':
        if (message.track === undefined || message.track === 'inbound') stt?.sendAudio(Buffer.from(message.payload, 'base64'));
        return;
      case 'mark': {
        const mark = mediaMarks.parse(message.name);
        if (mark?.kind === 'progress') dispatch({ type: 'mark-played', generation: mark.generation, bytes: mark.bytes, atMs: nowMs() });
        else if (mark?.kind === 'end') dispatch({ type: 'playback-ended', generation: mark.generation });
        return;
      }
      case 'dtmf':
        turns
          .dtmf(message.digit)
          .catch((error: unknown) => logger.error({ error: describe(error) }, 'media stream: handling a keypad digit failed'));
        return;
      case 'stop':
        void finish('stop');
        return;
      default:
        return;
    }
  });
  socket.once('close', () => void finish('closed'));
  socket.on('error', (error) => logger.warn({ error: error.message }, 'media stream: socket error'));

  function finish(ended: MediaStreamSessionResult['ended']): Promise<MediaStreamSessionResult> {
    finished ??= (async () => {
      const handoff = turns.handoff;
      lifetime.abort();
      pacer.stop();
      for (const controller of replies.values()) controller.abort();
      await Promise.allSettled([stt?.finish(), tts?.close()]);
      try {
        await turns.end();
      } catch (error) {
        logger.error({ error: describe(error) }, 'media stream: ending the conversation failed');
      }
      // Closing the socket ends <Connect><Stream>; Twilio goes on with the next TwiML (the action URL).
      if (socket.readyState === socket.OPEN) socket.close(1000, ended);
      const result: MediaStreamSessionResult = ended === 'handoff' && handoff !== undefined ? { ended, handoff } : { ended };
      logger.info({ ended }, 'media stream: ended');
      resolveSession(result);
      return result;
    })();
    return finished;
  }

  return session;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Deepgram live speech-to-text over a raw `ws` socket: the `SpeechToText` port. */
import type { SpeechToText, SpeechToTextEvent, SpeechToTextOpenOptions, SpeechToTextStream } from '@sdr/core';
import { deepgramDefaultSttModel, deepgramListenUrl, listenControl, listenMessageSchema, parseJsonFrame } from './deepgram-api.js';
import { resolveDeepgramConfig, type DeepgramConfig, type DeepgramDeps } from './deepgram-config.js';
import { connectDeepgram, frameText, deepgramStreamLifecycle } from './deepgram-socket.js';

/**
 * Creates Deepgram live STT: interim results, endpointing, `SpeechStarted` (VAD events) and
 * `UtteranceEnd`, and a `KeepAlive` while no audio flows. Throws `ValidationError` on a bad config.
 */
export function createDeepgramSpeechToText(config: DeepgramConfig, deps: DeepgramDeps): SpeechToText {
  const resolved = resolveDeepgramConfig(config, deps);
  const { logger } = resolved;

  return {
    contractVersion: 'v1',
    provider: 'deepgram',
    async open(options: SpeechToTextOpenOptions): Promise<SpeechToTextStream> {
      const url = deepgramListenUrl({
        baseUrl: resolved.baseUrl,
        model: resolved.sttModel ?? deepgramDefaultSttModel,
        language: resolved.language,
        format: options.format,
        endpointingMs: resolved.endpointingMs,
        utteranceEndMs: resolved.utteranceEndMs,
      });
      const socket = await connectDeepgram({ ...resolved, url, operation: 'listen', signal: options.signal });
      let audioSinceLastTick = false;
      const keepAlive = setInterval(() => {
        if (!audioSinceLastTick && socket.readyState === socket.OPEN) socket.send(listenControl.keepAlive);
        audioSinceLastTick = false;
      }, resolved.keepAliveIntervalMs);
      keepAlive.unref();
      // CloseStream makes Deepgram send the last finals, then close.
      const stream = deepgramStreamLifecycle(socket, {
        operation: 'listen',
        logger,
        signal: options.signal,
        closeMessage: listenControl.closeStream,
        closeTimeoutMs: resolved.closeTimeoutMs,
        onClosed: () => clearInterval(keepAlive),
      });

      socket.on('message', (data, isBinary) => {
        if (isBinary || options.signal?.aborted) return;
        const event = toEvent(frameText(data));
        if (event !== undefined) options.onEvent(event);
      });

      function toEvent(text: string): SpeechToTextEvent | undefined {
        const parsed = listenMessageSchema.safeParse(parseJsonFrame(text));
        if (!parsed.success) {
          logger.warn({ provider: 'deepgram', operation: 'listen' }, 'deepgram sent a message that is not JSON with a type; ignored');
          return undefined;
        }
        const message = parsed.data;
        switch (message.type) {
          case 'SpeechStarted':
            return { type: 'speech-started' };
          case 'UtteranceEnd':
            return { type: 'utterance-end' };
          case 'Results': {
            const results = message as {
              is_final?: boolean | null;
              speech_final?: boolean | null;
              channel?: { alternatives?: { transcript?: string | null }[] | null } | null;
            };
            const transcript = (results.channel?.alternatives?.[0]?.transcript ?? '').trim();
            const isFinal = results.is_final === true;
            const endOfUtterance = results.speech_final === true;
            // An empty interim says nothing; an empty final still carries the end of an utterance.
            if (transcript === '' && !endOfUtterance) return undefined;
            return { type: 'transcript', text: transcript, isFinal, endOfUtterance };
          }
          default:
            logger.debug({ provider: 'deepgram', operation: 'listen', type: message.type }, 'deepgram message ignored');
            return undefined;
        }
      }

      return {
        sendAudio(audio: Uint8Array) {
          if (stream.send(audio)) audioSinceLastTick = true;
        },
        finish: () => stream.close(),
        closed: stream.closed,
      };
    },
  };
}

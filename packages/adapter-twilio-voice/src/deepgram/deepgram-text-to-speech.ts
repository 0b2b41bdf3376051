/** Deepgram streaming text-to-speech over a raw `ws` socket: the `TextToSpeech` port. */
import type { TextToSpeech, TextToSpeechOpenOptions, TextToSpeechStream } from '@sdr/core';
import { deepgramDefaultTtsModel, deepgramSpeakUrl, parseJsonFrame, speakControl, speakMessageSchema } from './deepgram-api.js';
import { resolveDeepgramConfig, type DeepgramConfig, type DeepgramDeps } from './deepgram-config.js';
import { connectDeepgram, frameBytes, frameText, deepgramStreamLifecycle } from './deepgram-socket.js';

/**
 * Creates Deepgram streaming TTS producing raw audio (`container=none`). `clear()` sends `Clear`
 * and drops whatever audio was already in flight until Deepgram answers `Cleared`. Deepgram allows
 * about 20 `Flush` per minute: flush once per reply. Throws `ValidationError` on a bad config.
 */
export function createDeepgramTextToSpeech(config: DeepgramConfig, deps: DeepgramDeps): TextToSpeech {
  const resolved = resolveDeepgramConfig(config, deps);
  const { logger } = resolved;

  return {
    contractVersion: 'v1',
    provider: 'deepgram',
    async open(options: TextToSpeechOpenOptions): Promise<TextToSpeechStream> {
      const url = deepgramSpeakUrl({
        baseUrl: resolved.baseUrl,
        model: resolved.ttsModel ?? deepgramDefaultTtsModel,
        format: options.format,
      });
      const socket = await connectDeepgram({ ...resolved, url, operation: 'speak', signal: options.signal });
      // Clears not yet confirmed: audio and `Flushed` received meanwhile belong to dropped text.
      let unconfirmedClears = 0;
      let clearTimer: ReturnType<typeof setTimeout> | undefined;
      const stream = deepgramStreamLifecycle(socket, {
        operation: 'speak',
        logger,
        signal: options.signal,
        closeMessage: speakControl.close,
        closeTimeoutMs: resolved.closeTimeoutMs,
        onClosed: () => clearTimeout(clearTimer),
      });

      socket.on('message', (data, isBinary) => {
        if (options.signal?.aborted) return;
        if (isBinary) {
          if (unconfirmedClears > 0) return;
          const buffer = frameBytes(data);
          options.onAudio(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength));
          return;
        }
        const parsed = speakMessageSchema.safeParse(parseJsonFrame(frameText(data)));
        if (!parsed.success) {
          logger.warn({ provider: 'deepgram', operation: 'speak' }, 'deepgram sent a message that is not JSON with a type; ignored');
          return;
        }
        switch (parsed.data.type) {
          case 'Flushed':
            if (unconfirmedClears === 0) options.onEvent({ type: 'flushed' });
            return;
          case 'Cleared':
            unconfirmedClears = Math.max(0, unconfirmedClears - 1);
            if (unconfirmedClears === 0) clearTimeout(clearTimer);
            options.onEvent({ type: 'cleared' });
            return;
          case 'Warning':
            logger.warn(
              { provider: 'deepgram', operation: 'speak', code: parsed.data.code, description: parsed.data.description },
              'deepgram speak warning',
            );
            return;
          default:
            logger.debug({ provider: 'deepgram', operation: 'speak', type: parsed.data.type }, 'deepgram message ignored');
        }
      });

      const send = (message: string) => {
        stream.send(message);
      };

      return {
        speak(text: string) {
          if (text !== '') send(speakControl.speak(text));
        },
        flush() {
          send(speakControl.flush);
        },
        clear() {
          if (!stream.send(speakControl.clear)) return;
          unconfirmedClears += 1;
          clearTimeout(clearTimer);
          clearTimer = setTimeout(() => {
            if (unconfirmedClears === 0) return;
            logger.warn(
              { provider: 'deepgram', operation: 'speak', unconfirmedClears },
              'deepgram did not confirm Clear in time; audio resumes',
            );
            unconfirmedClears = 0;
          }, resolved.clearConfirmTimeoutMs);
          clearTimer.unref();
        },
        close: () => stream.close(),
        closed: stream.closed,
      };
    },
  };
}

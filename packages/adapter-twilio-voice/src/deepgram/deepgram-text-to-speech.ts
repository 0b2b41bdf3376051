/** Deepgram streaming text-to-speech over a raw `ws` socket: the `TextToSpeech` port. */
import type { TextToSpeech, TextToSpeechOpenOptions, TextToSpeechStream } from '@sdr/core';
import { deepgramDefaultTtsModel, deepgramSpeakUrl, parseJsonFrame, speakControl, speakMessageSchema } from './deepgram-api.js';
import { closePolitely, resolveDeepgramConfig, type DeepgramConfig, type DeepgramDeps } from './deepgram-config.js';
import { connectDeepgram, frameBytes, frameText, socketClosed } from './deepgram-socket.js';

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
      let closing = false;
      let closingPromise: Promise<void> | undefined;
      const closed = socketClosed(socket, 'speak', () => closing, logger);

      // Clears not yet confirmed: audio and `Flushed` received meanwhile belong to dropped text.
      let unconfirmedClears = 0;
      let clearTimer: ReturnType<typeof setTimeout> | undefined;

      const onAbort = () => {
        closing = true;
        socket.terminate();
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      void closed
        .finally(() => {
          clearTimeout(clearTimer);
          options.signal?.removeEventListener('abort', onAbort);
        })
        .catch(() => undefined);

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
        if (!closing && socket.readyState === socket.OPEN) socket.send(message);
      };

      return {
        speak(text: string) {
          if (text !== '') send(speakControl.speak(text));
        },
        flush() {
          send(speakControl.flush);
        },
        clear() {
          if (closing || socket.readyState !== socket.OPEN) return;
          unconfirmedClears += 1;
          socket.send(speakControl.clear);
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
        close() {
          closingPromise ??= (() => {
            closing = true;
            return closePolitely(socket, speakControl.close, resolved.closeTimeoutMs, closed);
          })();
          return closingPromise;
        },
        closed,
      };
    },
  };
}

/**
 * Inbound media: the bytes of an image, audio, video or document a lead sent. When the webhook
 * was registered with `base64: true` they came inline and are decoded; otherwise
 * `POST /chat/getBase64FromMediaMessage/{instance}` downloads them — given the whole message, so
 * that Evolution does not need its store to find it. Media over `maxBytes` is refused without
 * being held in memory past the limit.
 */
import { ProviderError, systemClock, type Clock } from '@sdr/core';
import { getBase64FromMediaMessageResponseSchema } from './evolution-api.js';
import { createEvolutionClient, segment, unwrap, type EvolutionConnection } from './evolution-client.js';
import { evolutionProvider } from './evolution-errors.js';
import type { EvolutionWebhookMessage } from './map-evolution-webhook.js';

/** Input of `fetchEvolutionMedia`. */
export interface FetchEvolutionMediaInput extends EvolutionConnection {
  readonly instance: string;
  /** The message, as `parseEvolutionWebhook` returned it. */
  readonly message: Pick<EvolutionWebhookMessage, 'providerMessageId' | 'media' | 'source'>;
  /** Largest media accepted, in bytes (default 16 MiB, WhatsApp's limit for images and audio). */
  readonly maxBytes?: number;
  /** Ask Evolution to convert audio to MP4 (default false). */
  readonly convertToMp4?: boolean;
  readonly clock?: Clock;
  readonly signal?: AbortSignal;
}

/** Downloaded media. */
export interface EvolutionMediaFile {
  readonly data: Uint8Array;
  readonly contentType: string;
  readonly fileName: string | undefined;
  /** Where the bytes came from. */
  readonly origin: 'inline' | 'download';
}

const defaultMaxBytes = 16 * 1024 * 1024;

/** The media of a message; a `ProviderError` when it has none, or it is larger than `maxBytes`. */
export async function fetchEvolutionMedia(input: FetchEvolutionMediaInput): Promise<EvolutionMediaFile> {
  const { media } = input.message;
  const operation = 'getBase64FromMediaMessage';
  const maxBytes = input.maxBytes ?? defaultMaxBytes;
  const tooLarge = () =>
    new ProviderError({
      provider: evolutionProvider,
      operation,
      message: `the media of message ${input.message.providerMessageId} is larger than the limit of ${maxBytes} bytes`,
      retryable: false,
      details: { instance: input.instance, maxBytes },
    });
  if (media === undefined) {
    throw new ProviderError({
      provider: evolutionProvider,
      operation,
      message: `message ${input.message.providerMessageId} has no media`,
      retryable: false,
    });
  }
  if (media.declaredSize !== undefined && media.declaredSize > maxBytes) throw tooLarge();
  const contentType = media.mimeType ?? 'application/octet-stream';
  if (media.inlineBase64 !== undefined) {
    const data = decodeBase64(media.inlineBase64);
    if (data.byteLength > maxBytes) throw tooLarge();
    return { data, contentType, fileName: media.fileName, origin: 'inline' };
  }
  const client = createEvolutionClient(input);
  const clock = input.clock ?? systemClock;
  const outcome = await client.call({
    operation,
    method: 'post',
    path: `chat/getBase64FromMediaMessage/${segment(input.instance)}`,
    json: {
      message: { key: input.message.source.key, ...(input.message.source.message ? { message: input.message.source.message } : {}) },
      ...(input.convertToMp4 ? { convertToMp4: true } : {}),
    },
    schema: getBase64FromMediaMessageResponseSchema,
    // base64 is 4/3 of the bytes, plus the JSON around it.
    maxBodyBytes: Math.ceil((maxBytes * 4) / 3) + 64 * 1024,
    ...(input.signal ? { signal: input.signal } : {}),
  });
  if (!outcome.ok && outcome.failure.kind === 'too_large') throw tooLarge();
  const answer = unwrap(outcome, { operation, instance: input.instance, now: clock.now() });
  const data = decodeBase64(answer.base64);
  if (data.byteLength > maxBytes) throw tooLarge();
  return { data, contentType: answer.mimetype ?? contentType, fileName: answer.fileName ?? media.fileName, origin: 'download' };
}

function decodeBase64(value: string): Uint8Array {
  const payload = value.replace(/^data:[^,]*;base64,/, '');
  return new Uint8Array(Buffer.from(payload, 'base64'));
}

/**
 * Pure readers of a WhatsApp message's content as Evolution reports it: its text (plain
 * `conversation`, `extendedTextMessage.text` for messages with a link or a quote, or a media
 * caption) and its media. Used for webhooks and for recognising our own sent messages.
 */
import type { EvolutionMessageContent } from './evolution-api.js';

/** Kinds of media a message may carry. */
export type EvolutionMediaKind = 'image' | 'video' | 'audio' | 'document' | 'sticker';

/** What is known about a message's media before it is downloaded. */
export interface EvolutionMediaDescriptor {
  readonly kind: EvolutionMediaKind;
  readonly mimeType: string | undefined;
  readonly fileName: string | undefined;
  readonly caption: string | undefined;
  /** Size in bytes as WhatsApp declared it. */
  readonly declaredSize: number | undefined;
  /** Duration of audio and video, in seconds. */
  readonly durationSeconds: number | undefined;
  /** An audio recorded as a voice note (push-to-talk). */
  readonly voiceNote: boolean;
  /** The media itself in base64, when the webhook was configured with `base64: true`. */
  readonly inlineBase64: string | undefined;
  /** A download link, when Evolution stores media in S3/MinIO. */
  readonly url: string | undefined;
}

type MediaFields = NonNullable<EvolutionMessageContent['imageMessage']>;

/** The message's media, if it has any. */
export function messageMedia(content: EvolutionMessageContent | null | undefined): EvolutionMediaDescriptor | undefined {
  if (!content) return undefined;
  const documentWithCaption = content.documentWithCaptionMessage?.message.documentMessage;
  const candidates: readonly [EvolutionMediaKind, MediaFields | null | undefined][] = [
    ['image', content.imageMessage],
    ['video', content.videoMessage],
    ['audio', content.audioMessage],
    ['document', content.documentMessage ?? documentWithCaption],
    ['sticker', content.stickerMessage],
  ];
  for (const [kind, fields] of candidates) {
    if (!fields) continue;
    return {
      kind,
      mimeType: fields.mimetype ?? undefined,
      fileName: fields.fileName ?? undefined,
      caption: nonEmpty(fields.caption),
      declaredSize: toSize(fields.fileLength),
      durationSeconds: fields.seconds ?? undefined,
      voiceNote: kind === 'audio' && content.audioMessage?.ptt === true,
      inlineBase64: nonEmpty(content.base64),
      url: nonEmpty(content.mediaUrl) ?? undefined,
    };
  }
  return undefined;
}

/** The message's text: `conversation`, `extendedTextMessage.text`, or the media caption. */
export function messageText(content: EvolutionMessageContent | null | undefined): string | undefined {
  if (!content) return undefined;
  return nonEmpty(content.conversation) ?? nonEmpty(content.extendedTextMessage?.text) ?? messageMedia(content)?.caption;
}

/**
 * Text as compared when recognising a sent message: Unicode NFC, whitespace runs collapsed to
 * one space, trimmed — WhatsApp and Evolution may normalise line breaks and trailing spaces.
 */
export function normaliseText(text: string): string {
  return text.normalize('NFC').replace(/\s+/g, ' ').trim();
}

function nonEmpty(value: string | null | undefined): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function toSize(value: MediaFields['fileLength']): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value === 'string') return /^\d+$/.test(value) ? Number(value) : undefined;
  return value.high * 2 ** 32 + (value.low >>> 0);
}
